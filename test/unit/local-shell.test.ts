import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LocalShell } from '../../src/peer-access/local-shell';
import { PeerCommandTimeout, PeerFileNotFound, PeerUnreachable, hasLifecycle } from '../../src/peer-access/shell';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let home: string;
let shell: LocalShell;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'peer-comms-local-'));
  shell = new LocalShell('me', { home });
});

after(async () => {
  await shell.close();
  await rm(home, { recursive: true, force: true });
});

void describe('LocalShell.exec', () => {
  void it('returns stdout, stderr and the exit status exactly', async () => {
    assert.deepEqual(await shell.exec(['printf', '%s', 'no newline']), { code: 0, stdout: 'no newline', stderr: '' });
    assert.deepEqual(await shell.exec(['sh', '-c', 'printf out; printf err >&2; exit 7']), {
      code: 7,
      stdout: 'out',
      stderr: 'err',
    });
  });

  void it('runs in the home directory, without a shell', async () => {
    assert.equal((await shell.exec(['pwd'])).stdout.trim(), home);
    const arg = "it's `x` $(id) ; \n\t ünï *";
    assert.equal((await shell.exec(['printf', '%s', arg])).stdout, arg);
  });

  void it('answers 127 for a missing command, like a shell', async () => {
    const r = await shell.exec(['/nonexistent/command', 'x']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /nonexistent/);
  });

  void it('refuses an empty argv and NUL bytes', async () => {
    await assert.rejects(shell.exec([]), /empty command/);
    await assert.rejects(shell.exec(['printf', 'a\0b']), /NUL/);
  });

  void it('pipes binary stdin', async () => {
    const data = randomBytes(1024 * 1024);
    const r = await shell.exec(['sha256sum'], { stdin: data });
    assert.equal(r.stdout.split(' ')[0], sha256(data));
    assert.equal((await shell.exec(['cat'], { stdin: 'text' })).stdout, 'text');
    // A command that does not read its stdin must not break anything.
    assert.equal((await shell.exec(['true'], { stdin: randomBytes(1024 * 1024) })).code, 0);
  });

  void it('times out with PeerCommandTimeout and kills the process', async () => {
    const t0 = Date.now();
    await assert.rejects(shell.exec(['sleep', '5'], { timeoutMs: 200 }), (err: unknown) => {
      assert.ok(err instanceof PeerCommandTimeout);
      assert.equal(err.command, 'sleep 5');
      assert.match(err.message, /me: command "sleep 5" did not finish within 200 ms/);
      return true;
    });
    assert.ok(Date.now() - t0 < 2000);
    assert.equal((await shell.exec(['printf', 'ok'])).stdout, 'ok');
  });

  void it('aborts through the signal', async () => {
    const ac = new AbortController();
    const p = shell.exec(['sleep', '5'], { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop now')), 50);
    await assert.rejects(p, /stop now/);
    await assert.rejects(shell.exec(['true'], { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});

void describe('LocalShell files', () => {
  void it('writes atomically with the mode, despite the umask, leaving no temp file', async () => {
    await shell.mkdirp('~/a/b', 0o700);
    assert.equal((await stat(join(home, 'a'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(home, 'a/b'))).mode & 0o777, 0o700);
    await shell.mkdirp('m/n', 0o777);
    assert.equal((await stat(join(home, 'm'))).mode & 0o777, 0o777);
    assert.equal((await stat(join(home, 'm/n'))).mode & 0o777, 0o777);
    await writeFile(join(home, 'a/b/creds.json'), 'old', { mode: 0o644 });
    await shell.writeFile('~/a/b/creds.json', '{"t":1}', { mode: 0o600, atomic: true });
    assert.equal(await readFile(join(home, 'a/b/creds.json'), 'utf8'), '{"t":1}');
    assert.deepEqual(await shell.stat('~/a/b/creds.json'), {
      size: 7,
      mode: 0o600,
      mtimeMs: (await stat(join(home, 'a/b/creds.json'))).mtimeMs,
    });
    assert.deepEqual(await readdir(join(home, 'a/b')), ['creds.json']);
    await shell.writeFile('wide', 'x', { mode: 0o666 });
    assert.equal((await shell.stat(join(home, 'wide')))?.mode, 0o666);
    await shell.writeFile('wide', 'y', { mode: 0o600 });
    assert.equal((await shell.stat('~/wide'))?.mode, 0o600, 'an existing file gets the new mode');
  });

  void it('reads, renames over an existing target, and reports missing files', async () => {
    await shell.writeFile('~/r1', Buffer.from([0, 1, 2, 255]), { mode: 0o600 });
    await shell.writeFile('~/r2', 'old', { mode: 0o600 });
    await shell.rename('~/r1', '~/r2');
    assert.deepEqual(await shell.readFile('~/r2'), Buffer.from([0, 1, 2, 255]));
    assert.equal(await shell.stat('~/r1'), null);
    assert.equal(await shell.stat('~/r2/below-a-file'), null);
    await assert.rejects(
      shell.readFile('~/nothing'),
      (e: unknown) => e instanceof PeerFileNotFound && e.path === '~/nothing',
    );
    await assert.rejects(shell.rename('~/nothing', '~/x'), PeerFileNotFound);
  });

  void it('refuses .. segments, NUL bytes and ~user', async () => {
    await assert.rejects(shell.readFile('~/../etc/passwd'), /"\.\." segment/);
    await assert.rejects(shell.readFile('a\\..\\b'), /"\.\." segment/);
    await assert.rejects(shell.writeFile('~/a\0', 'x', { mode: 0o600 }), /NUL/);
    await assert.rejects(shell.stat('~root/x'), /only "~\/"/);
  });
});

void describe('LocalShell lifecycle', () => {
  void it('close fails running commands and later ones', async () => {
    const s = new LocalShell('tmp', { home });
    assert.ok(hasLifecycle(s));
    let closed = 0;
    s.onClose(() => closed++);
    const running = s.exec(['sleep', '5']);
    await s.close();
    await assert.rejects(running, PeerUnreachable);
    await assert.rejects(s.exec(['true']), PeerUnreachable);
    assert.equal(s.isAlive, false);
    assert.equal(closed, 1);
  });
});
