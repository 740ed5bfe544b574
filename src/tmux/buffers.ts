/**
 * tmux paste buffers: the argv that fill one (from stdin, a file or an argument), show, list or
 * delete it, and paste it into a pane. A text reaches the agent this way when it cannot be typed
 * as keys (commands.ts sendKeysLiteral).
 */
import { nonEmpty, noNul, tmuxBase, type TmuxSocket } from './socket';
import { assertBufferName, exactPaneTarget } from './target';

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
