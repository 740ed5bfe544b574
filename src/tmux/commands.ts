/**
 * tmux argv builders. Pure functions: each returns the argv of one tmux command (starting with
 * 'tmux') for a PeerShell to exec. Nothing here runs a process and nothing goes through a shell;
 * every value is validated first, so a bad name fails here with a readable message.
 *
 * Pane commands take the explicit `session:window.pane` form and hand tmux the exact-match form
 * (`=session:window.pane`, see exactPaneTarget) so a vanished session is never silently replaced
 * by another one whose name starts the same.
 */
import { assertBufferName, assertSessionName, assertSocketName, exactPaneTarget, parseTarget } from './target';

export * from './target';

/** Which tmux server: `-L name`, `-S path`, or neither for the user's default server. */
export interface TmuxSocket {
  name?: string;
  path?: string;
}

export interface NewSessionOptions {
  session: string;
  width: number;
  height: number;
  /** Start directory of the first window. */
  cwd?: string;
  /** One string tmux runs through `sh -c`. From the peer config only, never from message text. */
  command: string;
}

/** `tmux` plus the socket selector. */
export function tmuxBase(sock: TmuxSocket): string[] {
  if (sock.name !== undefined && sock.path !== undefined) {
    throw new Error('tmux socket: give a name (-L) or a path (-S), not both');
  }
  if (sock.name !== undefined) return ['tmux', '-L', assertSocketName(sock.name)];
  if (sock.path !== undefined) return ['tmux', '-S', nonEmpty(sock.path, 'tmux socket path')];
  return ['tmux'];
}

function nonEmpty(value: string, what: string): string {
  if (value === '') throw new Error(`${what} is empty`);
  return noNul(value, what);
}

function noNul(value: string, what: string): string {
  if (value.includes('\0')) throw new Error(`${what} cannot hold a NUL byte`);
  return value;
}

function dimension(n: number, what: string): string {
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw new Error(`tmux ${what} must be an integer 1..10000, got ${n}`);
  return String(n);
}

/** Exit status 0 when a session with exactly this name exists (`=` turns off prefix matching). */
export function hasSession(sock: TmuxSocket, session: string): string[] {
  return [...tmuxBase(sock), 'has-session', '-t', `=${assertSessionName(session)}`];
}

/** A detached session of the given size running `command`. */
export function newSession(sock: TmuxSocket, opts: NewSessionOptions): string[] {
  const argv = [
    ...tmuxBase(sock),
    'new-session',
    '-d',
    '-s',
    assertSessionName(opts.session),
    '-x',
    dimension(opts.width, 'width'),
    '-y',
    dimension(opts.height, 'height'),
  ];
  if (opts.cwd !== undefined) argv.push('-c', nonEmpty(opts.cwd, 'tmux start directory'));
  argv.push(nonEmpty(opts.command, 'tmux session command'));
  return argv;
}

/** Ends a session (exact name). */
export function killSession(sock: TmuxSocket, session: string): string[] {
  return [...tmuxBase(sock), 'kill-session', '-t', `=${assertSessionName(session)}`];
}

/** Ends the whole server on this socket. */
export function killServer(sock: TmuxSocket): string[] {
  return [...tmuxBase(sock), 'kill-server'];
}

/** Restarts the program in a pane (e.g. one left dead by remain-on-exit), killing any that runs. */
export function respawnPane(sock: TmuxSocket, target: string, command: string): string[] {
  return [
    ...tmuxBase(sock),
    'respawn-pane',
    '-k',
    '-t',
    exactPaneTarget(target),
    nonEmpty(command, 'tmux pane command'),
  ];
}

/** Resizes the window holding `target` (a pane too narrow makes the agent's screen unreadable). */
export function resizeWindow(sock: TmuxSocket, target: string, width: number, height: number): string[] {
  const t = parseTarget(target);
  const window = /^[0-9]+$/.test(t.window) ? t.window : `=${t.window}`;
  return [
    ...tmuxBase(sock),
    'resize-window',
    '-t',
    `=${t.session}:${window}`,
    '-x',
    dimension(width, 'width'),
    '-y',
    dimension(height, 'height'),
  ];
}

// C0 controls and DEL. Typed as keys, LF/CR would submit or split the message, ESC would
// interrupt the agent, TAB toggles TUI features; such text has to go through a buffer paste.
function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * Types `text` into the pane as literal keys (no key-name lookup). `--` ends the options so
 * text starting with '-' is typed too. Only single-line text without control characters.
 */
export function sendKeysLiteral(sock: TmuxSocket, target: string, text: string): string[] {
  if (text === '') throw new Error('send-keys text is empty');
  if (hasControlChar(text)) {
    throw new Error('send-keys text cannot hold control characters (newline, CR, tab, ESC…); paste it from a buffer');
  }
  return [...tmuxBase(sock), 'send-keys', '-l', '-t', exactPaneTarget(target), '--', literalLastArg(text)];
}

/**
 * tmux splits its argv into commands at an argument that ends with ';' (dropping the ';'), and
 * reads a final '\;' as a literal ';'. So a text ending in ';' is written with a backslash
 * before that last ';' — tmux removes exactly that backslash and types the text unchanged.
 */
export function literalLastArg(text: string): string {
  return text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text;
}

/** Presses one named key, e.g. 'C-m' (submit, as its own step), 'Escape'. */
export function sendKey(sock: TmuxSocket, target: string, key: string): string[] {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(key)) throw new Error(`tmux key name ${JSON.stringify(key)} is not valid`);
  return [...tmuxBase(sock), 'send-keys', '-t', exactPaneTarget(target), key];
}

/** Leaves copy mode (a pane in copy mode would swallow pasted text and keys). */
export function cancelCopyMode(sock: TmuxSocket, target: string): string[] {
  return [...tmuxBase(sock), 'send-keys', '-t', exactPaneTarget(target), '-X', 'cancel'];
}

/** Fills buffer `bufferName` from the command's standard input (bytes unchanged). */
export function loadBufferFromStdin(sock: TmuxSocket, bufferName: string): string[] {
  return [...tmuxBase(sock), 'load-buffer', '-b', assertBufferName(bufferName), '-'];
}

/** Fills buffer `bufferName` from a file on the tmux host (use an absolute path). */
export function loadBufferFromFile(sock: TmuxSocket, bufferName: string, path: string): string[] {
  return [
    ...tmuxBase(sock),
    'load-buffer',
    '-b',
    assertBufferName(bufferName),
    '--',
    nonEmpty(path, 'buffer file path'),
  ];
}

/** Fills buffer `bufferName` from an argument (small data only: argv has a size limit). */
export function setBuffer(sock: TmuxSocket, bufferName: string, data: string): string[] {
  return [...tmuxBase(sock), 'set-buffer', '-b', assertBufferName(bufferName), '--', noNul(data, 'buffer data')];
}

/** Prints the buffer; exit status 1 when it does not exist. */
export function showBuffer(sock: TmuxSocket, bufferName: string): string[] {
  return [...tmuxBase(sock), 'show-buffer', '-b', assertBufferName(bufferName)];
}

export function deleteBuffer(sock: TmuxSocket, bufferName: string): string[] {
  return [...tmuxBase(sock), 'delete-buffer', '-b', assertBufferName(bufferName)];
}

/** One buffer name per line; parse with parseLines. */
export function listBuffers(sock: TmuxSocket): string[] {
  return [...tmuxBase(sock), 'list-buffers', '-F', '#{buffer_name}'];
}

/**
 * Pastes buffer `bufferName` into the pane and deletes it.
 * - `-p` bracketed paste: when the program asked for it (ESC[?2004h) the text arrives between
 *   ESC[200~ and ESC[201~, so the agent takes it as one paste and never as typed Enter keys.
 * - `-r` no newline replacement: by default tmux turns every LF into CR, which changes the
 *   bytes (CRLF would become CR CR) and, outside bracketed paste, makes each line a submit.
 *   With -r the bytes are exactly those loaded: LF stays LF, CR stays CR.
 * - `-d` deletes the buffer after pasting: a retry that finds the buffer gone knows the paste
 *   already happened, which makes delivery idempotent.
 */
export function pasteBuffer(sock: TmuxSocket, target: string, bufferName: string): string[] {
  return [
    ...tmuxBase(sock),
    'paste-buffer',
    '-p',
    '-r',
    '-d',
    '-b',
    assertBufferName(bufferName),
    '-t',
    exactPaneTarget(target),
  ];
}

/**
 * The visible screen as text (no joined lines); with `escapes`, its colours and attributes kept
 * as escape codes (`-e`: the screen classifier tells placeholders by their dim styling); with
 * `history`, that many lines of scrollback above it too (`-S -<n>`).
 */
export function capturePane(
  sock: TmuxSocket,
  target: string,
  opts: { history?: number; escapes?: boolean } = {},
): string[] {
  const argv = [
    ...tmuxBase(sock),
    'capture-pane',
    ...(opts.escapes ? ['-e'] : []),
    '-p',
    '-t',
    exactPaneTarget(target),
  ];
  if (opts.history !== undefined) argv.push('-S', `-${dimension(opts.history, 'scrollback line count')}`);
  return argv;
}

/** Prints `<pane_in_mode>|<pane_mode>`; parse with parsePaneMode. */
export function paneMode(sock: TmuxSocket, target: string): string[] {
  return [...tmuxBase(sock), 'display-message', '-p', '-t', exactPaneTarget(target), '#{pane_in_mode}|#{pane_mode}'];
}

export interface PaneModeInfo {
  inMode: boolean;
  /** e.g. 'copy-mode', '' when not in a mode. */
  mode: string;
}

export function parsePaneMode(stdout: string): PaneModeInfo {
  const line = stdout.replace(/\r?\n$/, '');
  const m = /^([01])\|([A-Za-z-]*)$/.exec(line);
  if (!m) throw new Error(`unexpected tmux pane mode output: ${JSON.stringify(stdout)}`);
  return { inMode: m[1] === '1', mode: m[2] ?? '' };
}

/** Session names, one a line; parse with parseLines. Exit status 1 when no server runs. */
export function listSessions(sock: TmuxSocket): string[] {
  return [...tmuxBase(sock), 'list-sessions', '-F', '#{session_name}'];
}

const PANE_FORMAT =
  '#{session_name}:#{window_index}.#{pane_index}|#{pane_dead}|#{pane_pid}|#{pane_in_mode}|#{pane_current_command}';

/** Every pane of a session (exact name); parse with parseListPanes. */
export function listPanes(sock: TmuxSocket, session: string): string[] {
  return [...tmuxBase(sock), 'list-panes', '-s', '-t', `=${assertSessionName(session)}`, '-F', PANE_FORMAT];
}

export interface PaneInfo {
  /** `session:window.pane` */
  target: string;
  /** The pane's program has exited (kept by remain-on-exit). */
  dead: boolean;
  pid: number | null;
  inMode: boolean;
  /** Program in the foreground, e.g. 'claude', 'bash'. */
  command: string;
}

export function parseListPanes(stdout: string): PaneInfo[] {
  return parseLines(stdout).map((line) => {
    const [target, dead, pid, inMode, ...command] = line.split('|');
    if (target === undefined || dead === undefined || pid === undefined || inMode === undefined) {
      throw new Error(`unexpected tmux list-panes line: ${JSON.stringify(line)}`);
    }
    const pidNum = Number.parseInt(pid, 10);
    return {
      target,
      dead: dead === '1',
      pid: Number.isNaN(pidNum) ? null : pidNum,
      inMode: inMode === '1',
      command: command.join('|'),
    };
  });
}

/** Non-empty lines of a command's output. */
export function parseLines(stdout: string): string[] {
  return stdout.split(/\r?\n/).filter((l) => l !== '');
}
