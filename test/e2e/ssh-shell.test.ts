/**
 * SshShell and PeerShellPool against a real sshd on 127.0.0.1 (test/helpers/sshd.ts).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PeerShellPool } from '../../src/peer-access/pool';
import {
  HostKeyRejected,
  HostKeyRevoked,
  PeerAuthFailed,
  PeerCommandTimeout,
  PeerFileNotFound,
  PeerUnreachable,
} from '../../src/peer-access/shell';
import type { PeerShell } from '../../src/peer-access/shell';
import { SshShell } from '../../src/peer-access/ssh-shell';
import { descendants, startSshd } from '../helpers/sshd';
import type { SshdFixture } from '../helpers/sshd';
import { waitFor } from '../helpers/wait';

const run = promisify(execFile);

/** Descendants of an sshd (the file's fixture unless told) whose command line holds `tag`. */
async function tagged(tag: string, sshdPid = sshd.pid): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await descendants(sshdPid)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(tag)) found.push(pid);
  }
  return found;
}
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let sshd: SshdFixture;
let shell: SshShell;

before(async () => {
  sshd = await startSshd();
  shell = await SshShell.connect(sshd.target());
});

after(async () => {
  await shell?.close();
  await sshd?.stop();
});

void describe('SshShell.exec', () => {
  void it('returns stdout, stderr and the exit status exactly', async () => {
    assert.deepEqual(await shell.exec(['printf', '%s', 'no newline']), { code: 0, stdout: 'no newline', stderr: '' });
    assert.deepEqual(await shell.exec(['printf', '%s\n\n', 'two']), { code: 0, stdout: 'two\n\n', stderr: '' });
    assert.deepEqual(await shell.exec(['sh', '-c', 'printf out; printf err >&2; exit 7']), {
      code: 7,
      stdout: 'out',
      stderr: 'err',
    });
    assert.deepEqual(await shell.exec(['true']), { code: 0, stdout: '', stderr: '' });
    const missing = await shell.exec(['/nonexistent/command']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /nonexistent/);
  });

  void it('shell builtins cannot disturb the persistent shell', async () => {
    assert.equal((await shell.exec(['exit', '3'])).code, 3);
    assert.equal((await shell.exec(['cd', '/'])).code, 0);
    assert.equal((await shell.exec(['exec', 'true'])).code, 0);
    assert.deepEqual(await shell.exec(['printf', '%s', 'still here']), { code: 0, stdout: 'still here', stderr: '' });
  });

  void it('passes awkward arguments through unchanged', async () => {
    const args = [
      "it's",
      '`uname`',
      '$(id -u)',
      '$HOME ${PATH}',
      'a; rm -rf /nonexistent-peer-comms',
      'line1\nline2\n',
      'tab\there',
      'ünïcødé ✓ 日本',
      '*',
      '"double" \\back\\',
      '',
      '-n',
      "''\\''",
      '|&<>!#~',
    ];
    for (const arg of args) {
      const r = await shell.exec(['printf', '%s', arg]);
      assert.deepEqual(r, { code: 0, stdout: arg, stderr: '' }, `argument ${JSON.stringify(arg)}`);
    }
    const all = await shell.exec(['printf', '%s\\0', ...args]);
    assert.deepEqual(all.stdout.split('\0').slice(0, -1), args);
  });

  void it('refuses an empty argv and NUL bytes before sending anything', async () => {
    await assert.rejects(shell.exec([]), /empty command/);
    await assert.rejects(shell.exec(['printf', 'a\0b']), /NUL/);
  });

  void it('pipes binary stdin (inline base64 path)', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const data = Buffer.concat([bytes, randomBytes(100_000), bytes]);
    const r = await shell.exec(['sha256sum'], { stdin: data });
    assert.equal(r.code, 0);
    assert.equal(r.stdout.split(' ')[0], sha256(data));
    const text = await shell.exec(['cat'], { stdin: 'quotes \' " and $(x) `y`\nno newline' });
    assert.equal(text.stdout, 'quotes \' " and $(x) `y`\nno newline');
  });

  void it('pipes 1 MiB of stdin through the exec-channel fallback', async () => {
    const data = randomBytes(1024 * 1024);
    const [big, small] = await Promise.all([
      shell.exec(['sha256sum'], { stdin: data }),
      shell.exec(['printf', '%s', 'alongside']),
    ]);
    assert.equal(big.code, 0);
    assert.equal(big.stdout.split(' ')[0], sha256(data));
    assert.equal(small.stdout, 'alongside');
  });

  void it('runs 50 sequential commands on one connection quickly', async () => {
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) {
      const r = await shell.exec(['printf', '%s', String(i)]);
      assert.equal(r.stdout, String(i));
    }
    const mean = (performance.now() - t0) / 50;
    console.log(`# mean exec over the persistent shell: ${mean.toFixed(2)} ms`);
  });

  void it('runs 20 concurrent commands, each with its own result', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? shell.exec(['sh', '-c', `printf 'out%s' "$1"; printf 'err%s' "$1" >&2; exit "$1"`, 'sh', String(i)])
          : shell.exec(['cat'], { stdin: `stdin${i}` }),
      ),
    );
    results.forEach((r, i) => {
      if (i % 2 === 0) assert.deepEqual(r, { code: i, stdout: `out${i}`, stderr: `err${i}` });
      else assert.deepEqual(r, { code: 0, stdout: `stdin${i}`, stderr: '' });
    });
  });

  void it('times out with PeerCommandTimeout and keeps working afterwards', async () => {
    const t0 = Date.now();
    await assert.rejects(shell.exec(['sh', '-c', 'sleep 3', 'secret-arg'], { timeoutMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof PeerCommandTimeout);
      assert.equal(err.peer, 'test');
      assert.equal(err.command, 'sh -c');
      assert.equal(err.timeoutMs, 300);
      assert.ok(!err.message.includes('secret-arg'));
      return true;
    });
    assert.ok(Date.now() - t0 < 2000);
    assert.deepEqual(await shell.exec(['printf', '%s', 'after']), { code: 0, stdout: 'after', stderr: '' });
    assert.ok(shell.isAlive);
  });

  void it('kills timed-out commands, so sessions do not pile up past MaxSessions', async () => {
    const tag = `peer-comms-tag-${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 12; i++) {
      // persistent-shell path and exec-channel path (stdin above 256 KiB)
      await assert.rejects(shell.exec(['sh', '-c', 'sleep 120', tag], { timeoutMs: 100 }), PeerCommandTimeout);
      await assert.rejects(
        shell.exec(['sh', '-c', 'sleep 120', tag], { timeoutMs: 100, stdin: Buffer.alloc(300_000) }),
        PeerCommandTimeout,
      );
    }
    await waitFor(async () => (await tagged(tag)).length === 0, 15_000, 'the timed-out commands to be killed');
    assert.equal((await shell.exec(['printf', '%s', 'fine'])).stdout, 'fine');
  });

  void it('a timeout does not kill a tmux server started through the same shell', async () => {
    const sock = `pc-ssh-test-${randomBytes(4).toString('hex')}`;
    try {
      const started = await shell.exec(['tmux', '-L', sock, 'new-session', '-d', '-s', 'keep', 'sleep 600']);
      assert.equal(started.code, 0, started.stderr);
      await assert.rejects(shell.exec(['sleep', '30'], { timeoutMs: 100 }), PeerCommandTimeout);
      assert.equal((await shell.exec(['tmux', '-L', sock, 'has-session', '-t', 'keep'])).code, 0);
    } finally {
      await run('tmux', ['-L', sock, 'kill-server']).catch(() => undefined);
    }
  });

  void it('a command queued behind a timed-out one still runs', async () => {
    const slow = shell.exec(['sleep', '3'], { timeoutMs: 200 });
    const next = shell.exec(['printf', '%s', 'queued']);
    await assert.rejects(slow, PeerCommandTimeout);
    assert.equal((await next).stdout, 'queued');
  });

  void it('aborts through the signal with its reason', async () => {
    const ac = new AbortController();
    const p = shell.exec(['sleep', '3'], { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('cancelled by test')), 100);
    await assert.rejects(p, /cancelled by test/);
    await assert.rejects(shell.exec(['true'], { signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal((await shell.exec(['printf', '%s', 'ok'])).stdout, 'ok');
  });
});

void describe('SshShell.connect failures', () => {
  void it('refuses an unknown host key with its fingerprint', async () => {
    const path = await sshd.writeKnownHosts('none', 'kh-empty');
    await assert.rejects(SshShell.connect({ ...sshd.target('gpu9'), knownHostsPath: path }), (err: unknown) => {
      assert.ok(err instanceof HostKeyRejected, String(err));
      assert.equal(err.reason, 'unknown');
      assert.equal(err.fingerprint, sshd.hostKeyFingerprint);
      for (const s of [
        'gpu9',
        `127.0.0.1:${sshd.port}`,
        sshd.hostKeyFingerprint,
        path,
        `ssh-keyscan -p ${sshd.port}`,
      ]) {
        assert.ok(err.message.includes(s), `message names ${s}: ${err.message}`);
      }
      return true;
    });
  });

  void it('refuses when known_hosts does not exist', async () => {
    const path = join(sshd.dir, 'no-such-known-hosts');
    await assert.rejects(SshShell.connect({ ...sshd.target(), knownHostsPath: path }), (err: unknown) => {
      assert.ok(err instanceof HostKeyRejected && err.reason === 'unknown');
      assert.match(err.message, /does not exist/);
      return true;
    });
  });

  void it('refuses a changed host key', async () => {
    const path = await sshd.writeKnownHosts('wrong-key', 'kh-wrong');
    await assert.rejects(SshShell.connect({ ...sshd.target(), knownHostsPath: path }), (err: unknown) => {
      assert.ok(err instanceof HostKeyRejected, String(err));
      assert.equal(err.reason, 'changed');
      assert.equal(err.fingerprint, sshd.hostKeyFingerprint);
      assert.match(err.message, /man-in-the-middle/);
      return true;
    });
  });

  void it('refuses a key marked @revoked', async () => {
    const path = join(sshd.dir, 'kh-revoked');
    await writeFile(path, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n@revoked * ${sshd.hostPublicKey}\n`);
    await assert.rejects(SshShell.connect({ ...sshd.target(), knownHostsPath: path }), (err: unknown) => {
      assert.ok(err instanceof HostKeyRevoked, String(err));
      assert.ok(err instanceof HostKeyRejected);
      assert.equal(err.fingerprint, sshd.hostKeyFingerprint);
      assert.match(err.message, /@revoked/);
      return true;
    });
  });

  void it('accepts a hashed known_hosts', async () => {
    const path = await sshd.writeKnownHosts('hashed', 'kh-hashed');
    const s = await SshShell.connect({ ...sshd.target(), knownHostsPath: path });
    try {
      assert.equal((await s.exec(['printf', '%s', 'hashed ok'])).stdout, 'hashed ok');
    } finally {
      await s.close();
    }
  });

  void it('reports a key the server does not accept as PeerAuthFailed', async () => {
    const key = join(sshd.dir, 'stranger');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await assert.rejects(SshShell.connect({ ...sshd.target(), privateKeyPath: key }), (err: unknown) => {
      assert.ok(err instanceof PeerAuthFailed, String(err));
      assert.ok(err.message.includes(key) && err.message.includes('authorized_keys'), err.message);
      return true;
    });
  });

  void it('reports a closed port as PeerUnreachable', async () => {
    const probe = await startSshd();
    const port = probe.port;
    await probe.stop();
    await assert.rejects(SshShell.connect({ ...sshd.target(), port }), (err: unknown) => {
      assert.ok(err instanceof PeerUnreachable, String(err));
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
  });
});

void describe('SshShell files (SFTP)', () => {
  void it('writes atomically with mode 0600 and leaves no temp file', async () => {
    const dir = join(sshd.dir, 'files');
    await shell.mkdirp(join(dir, 'a/b'), 0o700);
    const st = await shell.stat(join(dir, 'a/b'));
    assert.equal(st?.mode, 0o700);
    await shell.mkdirp(join(dir, 'open/wide'), 0o777);
    assert.equal((await shell.stat(join(dir, 'open')))?.mode, 0o777);
    assert.equal((await shell.stat(join(dir, 'open/wide')))?.mode, 0o777);
    const path = join(dir, 'a/b/creds.json');
    await shell.writeFile(path, '{"old":true}', { mode: 0o644 });
    await shell.writeFile(path, '{"token":"x"}', { mode: 0o600, atomic: true });
    const s = await shell.stat(path);
    assert.equal(s?.mode, 0o600);
    assert.equal(s?.size, 13);
    assert.equal((await shell.readFile(path)).toString(), '{"token":"x"}');
    assert.deepEqual(await readdir(join(dir, 'a/b')), ['creds.json']);
  });

  void it('applies the mode despite the umask, and writes large files whole', async () => {
    const path = join(sshd.dir, 'wide');
    await shell.writeFile(path, 'x', { mode: 0o666 });
    assert.equal((await shell.stat(path))?.mode, 0o666);
    const big = randomBytes(700_000);
    await shell.writeFile(path, big, { mode: 0o640, atomic: true });
    assert.equal(sha256(await shell.readFile(path)), sha256(big));
    assert.equal((await shell.stat(path))?.mode, 0o640);
  });

  void it('missing files: readFile throws PeerFileNotFound, stat is null', async () => {
    const path = join(sshd.dir, 'nothing-here');
    await assert.rejects(shell.readFile(path), (err: unknown) => err instanceof PeerFileNotFound && err.path === path);
    assert.equal(await shell.stat(path), null);
    await assert.rejects(shell.rename(path, `${path}.2`), PeerFileNotFound);
  });

  void it('rename replaces an existing target', async () => {
    const a = join(sshd.dir, 'ren-a');
    const b = join(sshd.dir, 'ren-b');
    await shell.writeFile(a, 'new', { mode: 0o600 });
    await shell.writeFile(b, 'old', { mode: 0o600 });
    await shell.rename(a, b);
    assert.equal((await shell.readFile(b)).toString(), 'new');
    assert.equal(await shell.stat(a), null);
  });

  void it('~/ paths are relative to the home directory', async () => {
    const name = `.peer-comms-test-${randomBytes(4).toString('hex')}`;
    try {
      await shell.writeFile(`~/${name}`, 'home', { mode: 0o600 });
      const home = (await shell.exec(['sh', '-c', 'printf %s "$HOME"'])).stdout;
      assert.equal((await shell.exec(['cat', `${home}/${name}`])).stdout, 'home');
    } finally {
      await shell.exec(['sh', '-c', 'rm -f "$HOME/$1"', 'sh', name]);
    }
  });

  void it('refuses .. segments and NUL bytes', async () => {
    await assert.rejects(shell.readFile('~/../etc/passwd'), /"\.\." segment/);
    await assert.rejects(shell.writeFile('/tmp/a\0b', 'x', { mode: 0o600 }), /NUL/);
    await assert.rejects(shell.mkdirp('a/../../b'), /"\.\." segment/);
  });
});

void describe('connection loss and the pool', () => {
  void it('a dropped connection fails the running command, and the pool reconnects', async () => {
    const own = await startSshd();
    const pool = new PeerShellPool((peer) => SshShell.connect(own.target(peer)));
    try {
      const first = await pool.get('p1');
      assert.equal(first, await pool.get('p1'), 'one connection per peer');
      const pool2 = new PeerShellPool((p) => SshShell.connect(own.target(p)));
      const [c1, c2] = await Promise.all([pool2.get('p'), pool2.get('p')]).finally(() => pool2.closeAll());
      assert.equal(c1, c2, 'concurrent callers share one connect');
      assert.equal((await first.exec(['printf', '%s', 'one'])).stdout, 'one');

      const running = first.exec(['sleep', '10']);
      assert.ok((await own.killConnections()) > 0, 'the fixture had connection processes to kill');
      await assert.rejects(running, PeerUnreachable);
      await waitFor(() => !(first as SshShell).isAlive, 5000, 'the shell to notice the drop');
      await assert.rejects(first.exec(['true']), PeerUnreachable);

      const second: PeerShell = await pool.get('p1');
      assert.notEqual(second, first);
      assert.equal((await second.exec(['printf', '%s', 'two'])).stdout, 'two');
    } finally {
      await pool.closeAll();
      await own.stop();
    }
  });

  void it('evict closes the shell and the next get connects afresh', async () => {
    const pool = new PeerShellPool((peer) => SshShell.connect(sshd.target(peer)));
    try {
      const a = (await pool.get('e')) as SshShell;
      await pool.evict('e');
      assert.equal(a.isAlive, false);
      const b = await pool.get('e');
      assert.notEqual(a, b);
      assert.equal((await b.exec(['printf', '%s', 'b'])).stdout, 'b');
    } finally {
      await pool.closeAll();
    }
    await assert.rejects(pool.get('e'), /closed/);
  });

  void it('a failed connect is not cached', async () => {
    let calls = 0;
    const pool = new PeerShellPool(async (peer) => {
      calls++;
      if (calls === 1) throw new PeerUnreachable(peer, 'first try fails');
      return SshShell.connect(sshd.target(peer));
    });
    try {
      await assert.rejects(pool.get('f'), PeerUnreachable);
      assert.equal((await (await pool.get('f')).exec(['true'])).code, 0);
      assert.equal(calls, 2);
    } finally {
      await pool.closeAll();
    }
  });
});

void describe('after close', () => {
  void it('exec and files report PeerUnreachable', async () => {
    const s = await SshShell.connect(sshd.target());
    let closedEvents = 0;
    s.onClose(() => closedEvents++);
    await s.close();
    assert.equal(s.isAlive, false);
    assert.equal(closedEvents, 1);
    await assert.rejects(s.exec(['true']), PeerUnreachable);
    await assert.rejects(s.stat('/tmp'), PeerUnreachable);
  });
});

void describe('an sshd with few sessions (MaxSessions 3)', () => {
  let small: SshdFixture;
  let s: SshShell;
  before(async () => {
    small = await startSshd({ extraConfig: ['MaxSessions 3'] });
    s = await SshShell.connect(small.target('small'));
    assert.equal((await s.exec(['true'])).code, 0); // the persistent shell takes one session
  });
  after(async () => {
    await s?.close();
    await small?.stop();
  });

  const big = Buffer.alloc(300_000); // stdin above 256 KiB: each command needs its own session

  void it('commands refused a session wait for one instead of failing', async () => {
    const results = await Promise.all(
      [1, 2, 3].map((n) => s.exec(['sh', '-c', `sleep 1; printf ${n}`], { stdin: big, timeoutMs: 20_000 })),
    );
    assert.deepEqual(
      results.map((r) => [r.code, r.stdout]),
      [
        [0, '1'],
        [0, '2'],
        [0, '3'],
      ],
    );
  });

  void it('sessions that stay taken: PeerUnreachable naming MaxSessions, and the shell still works', async () => {
    const tag = `peer-comms-holder-${randomBytes(4).toString('hex')}`;
    const holders = [1, 2].map((n) =>
      s.exec(['sh', '-c', `sleep 8; printf ${n}`, tag], { stdin: big, timeoutMs: 20_000 }),
    );
    await waitFor(async () => (await tagged(tag, small.pid)).length === 2, 5000, 'both holders to run');
    await assert.rejects(
      s.exec(['true'], { stdin: big, timeoutMs: 20_000 }),
      (err: unknown) =>
        err instanceof PeerUnreachable &&
        /refused a new session 8 times/.test(err.message) &&
        /MaxSessions/.test(err.message),
    );
    assert.equal((await s.exec(['printf', '%s', 'shell ok'])).stdout, 'shell ok');
    assert.deepEqual(
      (await Promise.all(holders)).map((r) => [r.code, r.stdout]),
      [
        [0, '1'],
        [0, '2'],
      ],
    );
  });
});
