/**
 * tmux argv builders. Pure functions: each returns the argv of one tmux command (starting with
 * 'tmux') for a PeerShell to exec. Nothing here runs a process and nothing goes through a shell;
 * every value is validated first, so a bad name fails here with a readable message.
 *
 * Pane commands take the explicit `session:window.pane` form and hand tmux the exact-match form
 * (`=session:window.pane`, see exactPaneTarget) so a vanished session is never silently replaced
 * by another one whose name starts the same.
 */
import { dimension, nonEmpty, tmuxBase, type TmuxSocket } from './socket';
import { assertSessionName, exactPaneTarget, parseTarget } from './target';

export * from './target';
export * from './buffers';
export { tmuxBase, type TmuxSocket } from './socket';

export interface NewSessionOptions {
  session: string;
  width: number;
  height: number;
  /** Start directory of the first window. */
  cwd?: string;
  /** One string tmux runs through `sh -c`. From the peer config only, never from message text. */
  command: string;
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
