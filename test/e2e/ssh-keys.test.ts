/**
 * Keys and agents against a real sshd on 127.0.0.1 (test/helpers/sshd.ts): a passphrase-protected
 * key opened with the passphrase from its environment variable, the failures that name the key
 * when it is missing or wrong, a PuTTY .ppk, a real ssh-agent given by its socket path, and the
 * CLI refusing (exit 2) before anything starts when a passphrase cannot be had.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load';
import type { PeerShell } from '../../src/peer-access/shell';
import { PeerAuthFailed } from '../../src/peer-access/shell';
import { peerConnector } from '../../src/workers/peer-shells';
import { runCliBare } from '../helpers/cli';
import { rsaPpkV2 } from '../helpers/ppk';
import { startSshd, type SshdFixture } from '../helpers/sshd';
import { waitFor } from '../helpers/wait';

const run = promisify(execFile);
const PASS = 'correct horse battery';
/** A variable of this test's own, so a PEER_COMMS_KEY_PASSPHRASE in the caller's env changes nothing. */
const ENV = 'PEER_COMMS_TEST_KEY_PASS';

let sshd: SshdFixture;
let dir: string;
let lockedKey: string;
let ppkKey: string;
let agentKey: string;
let agentSock: string;
let agent: ChildProcess | undefined;

async function keygen(name: string, passphrase: string): Promise<string> {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', path]);
  return path;
}

/** A peers file for the fixture's sshd; `peer` holds the lines under the peer. */
function configText(peer: string[]): string {
  return [
    'peers:',
    '  p:',
    '    host: 127.0.0.1',
    `    port: ${sshd.port}`,
    `    user: ${sshd.user}`,
    `    knownHosts: ${sshd.knownHostsPath}`,
    ...peer.map((l) => `    ${l}`),
    '',
  ].join('\n');
}

async function connect(peer: string[]): Promise<PeerShell> {
  return peerConnector(parseConfigText(configText(peer), 'peers.yaml'))('p');
}

async function authFailure(peer: string[]): Promise<string> {
  try {
    const shell = await connect(peer);
    await shell.close();
  } catch (err) {
    assert.ok(err instanceof PeerAuthFailed, String(err));
    return err.message;
  }
  assert.fail('connected, expected PeerAuthFailed');
}

before(async () => {
  sshd = await startSshd();
  dir = await mkdtemp(join(tmpdir(), 'peer-comms-keys-e2e-'));
  lockedKey = await keygen('locked_ed25519', PASS);
  agentKey = await keygen('agent_ed25519', '');
  const ppk = rsaPpkV2({ passphrase: PASS, comment: 'ppk-test' });
  ppkKey = join(dir, 'work.ppk');
  await writeFile(ppkKey, ppk.text, { mode: 0o600 });
  await appendFile(
    join(sshd.dir, 'authorized_keys'),
    [
      (await readFile(`${lockedKey}.pub`, 'utf8')).trim(),
      (await readFile(`${agentKey}.pub`, 'utf8')).trim(),
      ppk.publicLine,
      '',
    ].join('\n'),
  );
  // A real ssh-agent in the foreground (-D), so this file owns its pid and stops it.
  agentSock = join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
  await waitFor(() => existsSync(agentSock), 10_000, 'ssh-agent to listen');
});

after(async () => {
  delete process.env[ENV];
  agent?.kill('SIGTERM');
  await sshd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a passphrase-protected key', () => {
  it("authenticates with the passphrase from the peer's passphraseEnv variable", async () => {
    process.env[ENV] = PASS;
    try {
      const shell = await connect([`privateKey: ${lockedKey}`, `passphraseEnv: ${ENV}`]);
      try {
        assert.deepEqual(await shell.exec(['printf', '%s', 'in']), { code: 0, stdout: 'in', stderr: '' });
      } finally {
        await shell.close();
      }
    } finally {
      delete process.env[ENV];
    }
  });

  it('without the passphrase: fails naming the key and the variable', async () => {
    const msg = await authFailure([`privateKey: ${lockedKey}`, `passphraseEnv: ${ENV}`]);
    assert.ok(msg.includes(`the key ${lockedKey} is passphrase-protected and no passphrase was given`), msg);
    assert.ok(msg.includes(`Set ${ENV}`), msg);
    assert.ok(!msg.includes('authorized_keys'), 'not blamed on authorized_keys');
  });

  it('with a wrong passphrase: names the key, never the passphrase', async () => {
    process.env[ENV] = 'not it';
    try {
      const msg = await authFailure([`privateKey: ${lockedKey}`, `passphraseEnv: ${ENV}`]);
      assert.ok(msg.includes(`wrong passphrase for the key ${lockedKey}`), msg);
      assert.ok(!msg.includes('not it'), msg);
    } finally {
      delete process.env[ENV];
    }
  });
});

describe('a PuTTY key', () => {
  it('a format-2 RSA .ppk with a passphrase authenticates', async () => {
    process.env[ENV] = PASS;
    try {
      const shell = await connect([`privateKey: ${ppkKey}`, `passphraseEnv: ${ENV}`]);
      try {
        assert.equal((await shell.exec(['true'])).code, 0);
      } finally {
        await shell.close();
      }
    } finally {
      delete process.env[ENV];
    }
  });
});

describe('an SSH agent given by its socket path', () => {
  it('authenticates with the key the agent holds, and names the agent when it holds none', async () => {
    await run('ssh-add', ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
    const msg = await authFailure([`agent: ${agentSock}`]);
    assert.ok(msg.includes(`tried the SSH agent at ${agentSock}.`), msg);
    assert.match(
      msg,
      /The agent may hold no key the peer accepts \(list its keys with ssh-add -l; each must be in ~.*\/\.ssh\/authorized_keys/,
    );

    await run('ssh-add', [agentKey], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
    const shell = await connect([`agent: ${agentSock}`]);
    try {
      assert.equal((await shell.exec(['true'])).code, 0);
    } finally {
      await shell.close();
    }
  });

  it('a passphrase-protected key the agent holds: no passphrase needed, the agent alone is offered', async () => {
    delete process.env[ENV];
    await run('ssh-add', ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
    const msg = await authFailure([`privateKey: ${lockedKey}`, `agent: ${agentSock}`]);
    assert.ok(msg.includes(`the SSH agent at ${agentSock} (the key ${lockedKey} is passphrase-protected`), msg);

    // ssh-add reads the passphrase through SSH_ASKPASS when there is no terminal
    const askpass = join(dir, 'askpass.sh');
    await writeFile(askpass, `#!/bin/sh\necho '${PASS}'\n`, { mode: 0o700 });
    await run('ssh-add', [lockedKey], {
      env: {
        ...process.env,
        SSH_AUTH_SOCK: agentSock,
        SSH_ASKPASS: askpass,
        SSH_ASKPASS_REQUIRE: 'force',
        DISPLAY: ':0',
      },
    });
    const shell = await connect([`privateKey: ${lockedKey}`, `agent: ${agentSock}`]);
    try {
      assert.equal((await shell.exec(['true'])).code, 0);
    } finally {
      await shell.close();
    }
  });

  it('an agent that cannot be reached does not end the attempt; the failure names key and agent', async () => {
    const stranger = join(dir, 'stranger');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const gone = join(dir, 'no-agent.sock');
    const msg = await authFailure([`privateKey: ${stranger}`, `agent: ${gone}`]);
    assert.ok(msg.includes(`tried the key ${stranger} and the SSH agent at ${gone}.`), msg);
    assert.match(msg, /the agent could not be asked: Failed to connect to agent\)/);
    assert.match(msg, /authorized_keys/);
  });
});

describe('the CLI edge', () => {
  let cfgFile: string;
  before(async () => {
    cfgFile = join(dir, 'peers.yaml');
    await writeFile(cfgFile, configText([`privateKey: ${lockedKey}`]));
  });
  // runCliBare: stdin is a pipe (no terminal to ask on) and Temporal is a closed port.
  const noPass = { PEER_COMMS_KEY_PASSPHRASE: '' };

  it('preflight without a passphrase and without a terminal: exit 2, nothing started', async () => {
    const res = await runCliBare(['--config', cfgFile, 'preflight', 'p'], { cwd: dir, env: noPass });
    assert.equal(res.code, 2, res.stderr);
    assert.ok(res.stderr.includes(`peer "p": the private key ${lockedKey} is passphrase-protected`), res.stderr);
    assert.match(
      res.stderr,
      /PEER_COMMS_KEY_PASSPHRASE is not set and there is no terminal to ask on; nothing was started/,
    );
  });

  it('with an agent configured, a protected key without its passphrase is left to the agent (no refusal)', async () => {
    const agentCfg = join(dir, 'peers-agent.yaml');
    await writeFile(agentCfg, configText([`privateKey: ${lockedKey}`, `agent: ${join(dir, 'no-agent.sock')}`]));
    const res = await runCliBare(['--config', agentCfg, 'preflight', 'p', '--json'], { cwd: dir, env: noPass });
    // past the edge: the connection itself fails (the agent socket is missing), naming key and agent
    assert.doesNotMatch(res.stderr, /nothing was started/);
    assert.match(res.stderr + res.stdout, /passphrase-protected and no passphrase was given, so it was not offered/);
  });

  it('the controller worker refuses the same way before it connects to Temporal', async () => {
    const res = await runCliBare(['--config', cfgFile, 'worker'], { cwd: dir, env: noPass });
    assert.equal(res.code, 2, res.stderr);
    assert.ok(!/cannot connect to Temporal/.test(res.stderr), res.stderr);
    assert.match(res.stderr, /is passphrase-protected/);
  });

  it('send with a PuTTY format-3 key: exit 2 with the puttygen command, before connecting to Temporal', async () => {
    const v3 = join(dir, 'v3.ppk');
    await writeFile(v3, 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 1\nAAAA\n');
    const v3cfg = join(dir, 'peers-v3.yaml');
    await writeFile(v3cfg, configText([`privateKey: ${v3}`]));
    const res = await runCliBare(['--config', v3cfg, 'send', 'p', 'hello'], { cwd: dir });
    assert.equal(res.code, 2, res.stderr);
    assert.ok(!/cannot connect/.test(res.stderr), res.stderr);
    assert.match(
      res.stderr,
      /its private key file .*v3\.ppk .* is a PuTTY key of format 3, which the SSH library \(ssh2\) cannot read/,
    );
    assert.ok(res.stderr.includes(`puttygen ${v3} -O private-openssh -o ${join(dir, 'v3')}`), res.stderr);
  });

  it('preflight with the passphrase in PEER_COMMS_KEY_PASSPHRASE reaches the peer', async () => {
    const res = await runCliBare(['--config', cfgFile, 'preflight', 'p', '--json'], {
      cwd: dir,
      env: { PEER_COMMS_KEY_PASSPHRASE: PASS },
    });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(typeof (JSON.parse(res.stdout) as { hostname?: unknown }).hostname, 'string');
    assert.ok(!res.stdout.includes(PASS) && !res.stderr.includes(PASS));
  });
});
