import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shJoin } from '../../src/peer-access/shell';
import {
  cancelCopyMode,
  capturePane,
  deleteBuffer,
  exactPaneTarget,
  hasSession,
  killServer,
  killSession,
  listBuffers,
  listPanes,
  listSessions,
  loadBufferFromFile,
  loadBufferFromStdin,
  newSession,
  paneMode,
  parseLines,
  parseListPanes,
  parsePaneMode,
  parseTarget,
  pasteBuffer,
  resizeWindow,
  respawnPane,
  sendKey,
  sendKeysLiteral,
  setBuffer,
  showBuffer,
} from '../../src/tmux';
import type { TmuxSocket } from '../../src/tmux';
import { waitFor } from '../helpers/wait';

const D: TmuxSocket = {};
const L: TmuxSocket = { name: 'pc' };
const S: TmuxSocket = { path: '/run/pc.sock' };
const T = 'work:0.1';

void describe('tmux argv builders', () => {
  void it('selects the server by socket name, path or default', () => {
    assert.deepEqual(hasSession(D, 'work'), ['tmux', 'has-session', '-t', '=work']);
    assert.deepEqual(hasSession(L, 'work'), ['tmux', '-L', 'pc', 'has-session', '-t', '=work']);
    assert.deepEqual(hasSession(S, 'work'), ['tmux', '-S', '/run/pc.sock', 'has-session', '-t', '=work']);
    assert.throws(() => hasSession({ name: 'a', path: '/b' }, 'work'), /not both/);
    assert.throws(() => hasSession({ name: 'a b' }, 'work'), /socket name/);
  });

  void it('builds new-session with and without a start directory', () => {
    const cmd = 'cd ~/proj && claude --dangerously-skip-permissions';
    assert.deepEqual(newSession(L, { session: 'work', width: 200, height: 50, command: cmd }), [
      ...['tmux', '-L', 'pc', 'new-session', '-d', '-s', 'work', '-x', '200', '-y', '50', cmd],
    ]);
    assert.deepEqual(newSession(D, { session: 'work', width: 80, height: 24, cwd: '/srv/p', command: 'claude' }), [
      ...['tmux', 'new-session', '-d', '-s', 'work', '-x', '80', '-y', '24', '-c', '/srv/p', 'claude'],
    ]);
    assert.throws(() => newSession(D, { session: 'work', width: 0, height: 50, command: 'x' }), /width/);
    assert.throws(() => newSession(D, { session: 'work', width: 200, height: 1.5, command: 'x' }), /height/);
    assert.throws(() => newSession(D, { session: 'work', width: 200, height: 50, command: '' }), /empty/);
    assert.throws(() => newSession(D, { session: 'a.b', width: 200, height: 50, command: 'x' }), /session name/);
  });

  void it('builds the key, buffer and screen commands with exact pane targets', () => {
    const t = '=work:0.1';
    assert.deepEqual(sendKeysLiteral(D, T, '-x $(y)'), ['tmux', 'send-keys', '-l', '-t', t, '--', '-x $(y)']);
    assert.deepEqual(sendKey(D, T, 'C-m'), ['tmux', 'send-keys', '-t', t, 'C-m']);
    assert.deepEqual(sendKey(D, T, 'Escape'), ['tmux', 'send-keys', '-t', t, 'Escape']);
    assert.deepEqual(cancelCopyMode(D, T), ['tmux', 'send-keys', '-t', t, '-X', 'cancel']);
    assert.deepEqual(loadBufferFromStdin(D, 'pc-1'), ['tmux', 'load-buffer', '-b', 'pc-1', '-']);
    assert.deepEqual(loadBufferFromFile(D, 'pc-1', '/tmp/x'), ['tmux', 'load-buffer', '-b', 'pc-1', '--', '/tmp/x']);
    assert.deepEqual(setBuffer(D, 'pc.m', '-1'), ['tmux', 'set-buffer', '-b', 'pc.m', '--', '-1']);
    assert.deepEqual(showBuffer(D, 'pc.m'), ['tmux', 'show-buffer', '-b', 'pc.m']);
    assert.deepEqual(deleteBuffer(D, 'pc.m'), ['tmux', 'delete-buffer', '-b', 'pc.m']);
    assert.deepEqual(listBuffers(D), ['tmux', 'list-buffers', '-F', '#{buffer_name}']);
    assert.deepEqual(pasteBuffer(L, T, 'pc-1'), [
      ...['tmux', '-L', 'pc', 'paste-buffer', '-p', '-r', '-d', '-b', 'pc-1', '-t', t],
    ]);
    assert.deepEqual(capturePane(D, T), ['tmux', 'capture-pane', '-p', '-t', t]);
    assert.deepEqual(paneMode(D, T), ['tmux', 'display-message', '-p', '-t', t, '#{pane_in_mode}|#{pane_mode}']);
    assert.deepEqual(respawnPane(D, T, 'claude'), ['tmux', 'respawn-pane', '-k', '-t', t, 'claude']);
    assert.deepEqual(resizeWindow(D, 'work:main.0', 200, 50), [
      ...['tmux', 'resize-window', '-t', '=work:=main', '-x', '200', '-y', '50'],
    ]);
    assert.deepEqual(killSession(D, 'work'), ['tmux', 'kill-session', '-t', '=work']);
    assert.deepEqual(killServer(L), ['tmux', '-L', 'pc', 'kill-server']);
    assert.deepEqual(listSessions(D), ['tmux', 'list-sessions', '-F', '#{session_name}']);
    assert.equal(listPanes(D, 'work')[4], '=work');
  });

  void it('refuses pane commands on a target that is not session:window.pane', () => {
    for (const bad of ['work', 'work:0', 'work:0.1 ', 'wo rk:0.1']) {
      assert.throws(() => capturePane(D, bad), /tmux/, bad);
    }
  });

  void it('refuses control characters in typed text and bad key or buffer names', () => {
    for (const bad of ['a\nb', 'a\rb', 'a\tb', 'a\x1bb', 'a\x7fb', '']) {
      assert.throws(() => sendKeysLiteral(D, T, bad), /send-keys text/, JSON.stringify(bad));
    }
    assert.throws(() => sendKey(D, T, 'C-m; rm'), /key name/);
    assert.throws(() => sendKey(D, T, '-X'), /key name/);
    for (const bad of ['', 'a b', 'a/b', 'a;b']) {
      assert.throws(() => pasteBuffer(D, T, bad), /buffer name/, bad);
    }
    assert.throws(() => setBuffer(D, 'b', 'a\0b'), /NUL/);
  });

  void it('parses targets', () => {
    assert.deepEqual(parseTarget('work'), { session: 'work', window: '0', pane: '0', full: 'work:0.0' });
    assert.deepEqual(parseTarget('work:2'), { session: 'work', window: '2', pane: '0', full: 'work:2.0' });
    assert.deepEqual(parseTarget('claude-team_1:main.3'), {
      ...{ session: 'claude-team_1', window: 'main', pane: '3', full: 'claude-team_1:main.3' },
    });
    for (const bad of ['', ':0', 'a b', 'work;ls', 'work:0.x', 'work:.1', 'work:a:b', 'a.b', "w'x"]) {
      assert.throws(() => parseTarget(bad), /tmux (target|session)/, bad);
    }
    assert.equal(exactPaneTarget('work:0.0'), '=work:0.0');
    assert.equal(exactPaneTarget('work:main.0'), '=work:=main.0');
  });

  void it('parses command output', () => {
    assert.deepEqual(parsePaneMode('1|copy-mode\n'), { inMode: true, mode: 'copy-mode' });
    assert.deepEqual(parsePaneMode('0|\n'), { inMode: false, mode: '' });
    assert.throws(() => parsePaneMode('garbage'), /pane mode/);
    assert.deepEqual(parseListPanes('work:0.0|0|123|0|claude\nwork:1.0|1||0|a|b\n'), [
      { target: 'work:0.0', dead: false, pid: 123, inMode: false, command: 'claude' },
      { target: 'work:1.0', dead: true, pid: null, inMode: false, command: 'a|b' },
    ]);
    assert.deepEqual(parseLines('a\n\nb\n'), ['a', 'b']);
  });
});

// A tiny program that puts its terminal in raw mode, optionally asks for bracketed paste
// (ESC[?2004h), says READY on screen and appends every byte it receives to a file.
const RECORDER = `
const fs = require('node:fs');
const [out, bracket] = process.argv.slice(2);
process.stdin.setRawMode(true);
process.stdin.on('data', (d) => fs.appendFileSync(out, d));
process.stdout.write((bracket === '1' ? '\\x1b[?2004h' : '') + 'READY\\r\\n');
`;

const PASTE_TEXT =
  'line one\nline two\r\nwindows line\ttab\tx\n' +
  'unicode: héllo ✓ 日本語 🚀 — ü\n' +
  '$(x) `y` ${HOME} "double" \'single\' \\back $ & | ; < > * ?\n' +
  '-leading dash\r\n\nlast line, no newline';

void describe('tmux for real (private socket)', () => {
  const sock: TmuxSocket = { name: `pc-test-${randomBytes(6).toString('hex')}` };
  let dir = '';
  let n = 0;

  /** Runs a built argv (with an empty config file, so the test does not depend on ~/.tmux.conf). */
  function tmux(argv: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
    const [bin, ...args] = argv;
    const res = spawnSync(bin!, ['-f', '/dev/null', ...args], { input, encoding: 'utf8', timeout: 10_000 });
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
  }

  /** A fresh session running the recorder; resolves with its pane target and output file. */
  async function recorder(bracket: boolean): Promise<{ target: string; out: string }> {
    const session = `rec${++n}`;
    const out = join(dir, `${session}.bin`);
    const command = shJoin([process.execPath, join(dir, 'rec.js'), out, bracket ? '1' : '0']);
    const res = tmux(newSession(sock, { session, width: 200, height: 50, command }));
    assert.equal(res.code, 0, res.stderr);
    const target = `${session}:0.0`;
    // READY is written after ESC[?2004h, so once tmux shows it, tmux has seen the mode switch.
    await waitFor(() => tmux(capturePane(sock, target)).stdout.includes('READY'), 10_000, `${session} ready`);
    return { target, out };
  }

  const received = (out: string): Buffer => (existsSync(out) ? readFileSync(out) : Buffer.alloc(0));

  async function receive(out: string, bytes: number): Promise<Buffer> {
    await waitFor(() => received(out).length >= bytes, 10_000, `${bytes} bytes in ${out}`);
    return received(out);
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pc-tmux-'));
    writeFileSync(join(dir, 'rec.js'), RECORDER);
  });

  after(() => {
    spawnSync('tmux', killServer(sock).slice(1), { timeout: 10_000 });
    // tmux 3.3 leaves its socket file behind after kill-server
    const uid = process.getuid?.() ?? 0;
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, sock.name!), { force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  void it('pastes bytes exactly, wrapped in bracketed-paste markers when the program asked for them', async () => {
    const { target, out } = await recorder(true);
    assert.equal(tmux(loadBufferFromStdin(sock, 'pc-paste-1'), PASTE_TEXT).code, 0);
    const res = tmux(pasteBuffer(sock, target, 'pc-paste-1'));
    assert.equal(res.code, 0, res.stderr);
    const want = Buffer.concat([Buffer.from('\x1b[200~'), Buffer.from(PASTE_TEXT, 'utf8'), Buffer.from('\x1b[201~')]);
    assert.deepEqual(await receive(out, want.length), want);
    assert.notEqual(tmux(showBuffer(sock, 'pc-paste-1')).code, 0, 'paste-buffer -d deleted the buffer');
  });

  void it('pastes bytes exactly and unwrapped when the program did not ask for bracketed paste', async () => {
    const { target, out } = await recorder(false);
    writeFileSync(join(dir, 'text.txt'), PASTE_TEXT);
    assert.equal(tmux(loadBufferFromFile(sock, 'pc-paste-2', join(dir, 'text.txt'))).code, 0);
    assert.equal(tmux(pasteBuffer(sock, target, 'pc-paste-2')).code, 0);
    const want = Buffer.from(PASTE_TEXT, 'utf8');
    assert.deepEqual(await receive(out, want.length), want);
  });

  void it('(contrast) without -r tmux would turn every LF into CR', async () => {
    const { target, out } = await recorder(false);
    assert.equal(tmux(setBuffer(sock, 'pc-paste-3', 'a\nb\r\nc')).code, 0);
    const argv = pasteBuffer(sock, target, 'pc-paste-3').filter((a) => a !== '-r');
    assert.equal(tmux(argv).code, 0);
    assert.deepEqual(await receive(out, 6), Buffer.from('a\rb\r\rc'));
  });

  void it('types literal text (even starting with -) and presses C-m as CR', async () => {
    const { target, out } = await recorder(false);
    const text = `-x $(id) 'q' "d" ✓ ;ls`;
    assert.equal(tmux(sendKeysLiteral(sock, target, text)).code, 0);
    assert.equal(tmux(sendKey(sock, target, 'C-m')).code, 0);
    const want = Buffer.from(`${text}\r`, 'utf8');
    assert.deepEqual(await receive(out, want.length), want);
  });

  void it('types texts ending in ";" or "\\;" unchanged (tmux would take a trailing ";" as a separator)', async () => {
    const { target, out } = await recorder(false);
    const texts = ['do x; do y;', ';', 'ends with \\;', 'two;;'];
    for (const text of texts) assert.equal(tmux(sendKeysLiteral(sock, target, text)).code, 0);
    const want = Buffer.from(texts.join(''), 'utf8');
    assert.deepEqual(await receive(out, want.length), want);
  });

  void it('matches session names exactly, never by prefix', () => {
    const res = tmux(newSession(sock, { session: 'claude-team-1', width: 80, height: 24, command: 'sleep 600' }));
    assert.equal(res.code, 0, res.stderr);
    assert.equal(tmux(hasSession(sock, 'claude-team-1')).code, 0);
    assert.notEqual(tmux(hasSession(sock, 'claude')).code, 0);
    assert.notEqual(tmux(capturePane(sock, 'claude:0.0')).code, 0);
    assert.equal(tmux(['tmux', '-L', sock.name!, 'has-session', '-t', 'claude']).code, 0, 'plain -t would match');
    assert.ok(parseLines(tmux(listSessions(sock)).stdout).includes('claude-team-1'));
    assert.equal(tmux(killSession(sock, 'claude-team-1')).code, 0);
    assert.notEqual(tmux(hasSession(sock, 'claude-team-1')).code, 0);
  });

  void it('reads and leaves copy mode, and lists panes', async () => {
    const { target } = await recorder(false);
    assert.deepEqual(parsePaneMode(tmux(paneMode(sock, target)).stdout), { inMode: false, mode: '' });
    assert.equal(tmux(['tmux', '-L', sock.name!, 'copy-mode', '-t', exactPaneTarget(target)]).code, 0);
    assert.deepEqual(parsePaneMode(tmux(paneMode(sock, target)).stdout), { inMode: true, mode: 'copy-mode' });
    assert.equal(tmux(cancelCopyMode(sock, target)).code, 0);
    assert.deepEqual(parsePaneMode(tmux(paneMode(sock, target)).stdout), { inMode: false, mode: '' });
    const [pane] = parseListPanes(tmux(listPanes(sock, parseTarget(target).session)).stdout);
    assert.equal(pane?.target, target);
    assert.equal(pane?.dead, false);
    assert.equal(pane?.command, 'node');
  });
});
