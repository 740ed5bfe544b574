/**
 * Shell completion: `peer-comms completion <shell>` prints a script for bash, zsh, fish and
 * PowerShell; bash's (zsh's, fish's where those shells are installed, else skipped) parses; the
 * bash script, sourced in a real bash with `peer-comms` on PATH, offers subcommands, options,
 * peer names from the peers file and file names; `__complete` answers from the live command tree.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TSX = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href;

let dir: string;
let bin: string;
let cfg: string;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const has = (shell: string): boolean => spawnSync(shell, ['-c', 'true']).status === 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peer-comms-completion-'));
  cfg = join(dir, 'peers.yaml');
  await writeFile(cfg, 'peers:\n  alpha:\n    via: local\n  beta:\n    via: local\ngroups:\n  both: [alpha, beta]\n');
  await writeFile(join(dir, 'directive-one.md'), '# x\n');
  bin = join(dir, 'bin');
  await mkdir(bin);
  // `peer-comms` on PATH, as an installed package puts it there
  const shim = join(bin, 'peer-comms');
  await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" --import "${TSX}" "${MAIN}" "$@"\n`);
  await chmod(shim, 0o755);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('peer-comms completion <shell>', () => {
  for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
    it(`${shell}: a script that calls __complete`, async () => {
      const r = await cli(['completion', shell]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /peer-comms __complete/);
      assert.match(r.stdout, /Install:/);
    });
  }

  it('an unknown shell: exit 2', async () => {
    const r = await cli(['completion', 'tcsh']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bash, zsh, fish, powershell/);
  });

  for (const [shell, check] of [
    ['bash', ['-n']],
    ['zsh', ['-n']],
    ['fish', ['--no-execute']],
  ] as const) {
    it(`${shell} parses its script (${shell} -n)`, { skip: !has(shell) && `${shell} is not installed` }, async () => {
      const file = join(dir, `completion.${shell}`);
      await writeFile(file, (await cli(['completion', shell])).stdout);
      const res = spawnSync(shell, [...check, file], { encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
    });
  }
});

/** What bash offers after `line` (the last word is the one being completed), with the script sourced. */
async function bashOffers(line: string[]): Promise<string[]> {
  const script = join(dir, 'completion.bash');
  await writeFile(script, (await cli(['completion', 'bash'])).stdout);
  const words = ['peer-comms', ...line].map((w) => `'${w}'`).join(' ');
  const prog = `source '${script}'; COMP_WORDS=(${words}); COMP_CWORD=${line.length}; _peer_comms_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const res = spawnSync('bash', ['-c', prog], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout.split('\n').filter(Boolean);
}

describe('bash completion, sourced in a real bash', () => {
  it('subcommands, options, choices', async () => {
    assert.deepEqual(await bashOffers(['job', 're']), ['resolve']);
    assert.ok((await bashOffers([''])).includes('send'));
    assert.ok(!(await bashOffers([''])).includes('__complete'), 'the hidden command is not offered');
    assert.deepEqual(await bashOffers(['job', 'resolve', 'x', '--d']), ['--decision']);
    assert.deepEqual(await bashOffers(['completion', 'p']), ['powershell']);
  });

  it('peer and group names from the peers file named by -c; file names for a file', async () => {
    assert.deepEqual(await bashOffers(['-c', cfg, 'send', '']), ['alpha', 'beta', 'both']);
    assert.deepEqual(await bashOffers(['-c', cfg, 'peek', 'a']), ['alpha']);
    assert.deepEqual(await bashOffers(['-c', cfg, 'worker', '--peer', 'b']), ['beta']);
    assert.deepEqual(await bashOffers(['-c', cfg, 'job', 'start', 'alpha', 'direc']), ['directive-one.md']);
  });
});
