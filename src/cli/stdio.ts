/**
 * The CLI's output streams and last-resort error handling.
 *
 * A closed stdout or stderr (`peer-comms fleet status | head -1`) is not an error: what is left
 * to print is dropped, quietly, and the exit code is the command's own (a send that was acked
 * still exits 0). Any other error that reaches the top is printed as one readable line and
 * exits 1: no error path exits 0, and none prints a stack trace unless PEER_COMMS_DEBUG is set.
 */
import { EXIT } from './exit';

const closed = new Set<NodeJS.WriteStream>();

function isClosedPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** Whether this stream's reader went away. */
export function outputClosed(stream: NodeJS.WriteStream): boolean {
  return closed.has(stream);
}

/** Installs the handlers; call once, before anything is printed. */
export function installStdioGuards(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: unknown) => {
      if (isClosedPipe(err)) {
        closed.add(stream);
        return;
      }
      // Output cannot be written at all (a full disk behind a redirect, …): say so where possible.
      if (stream !== process.stderr && !closed.has(process.stderr)) {
        process.stderr.write(`peer-comms: cannot write the output: ${describe(err)}\n`);
      }
      process.exitCode = EXIT.failed;
    });
  }
  process.on('uncaughtException', (err) => lastResort(err));
  process.on('unhandledRejection', (reason) => lastResort(reason));
}

function lastResort(err: unknown): void {
  // a write to a closed stdout that escaped the stream's own handler: still not an error
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return;
  reportError(err);
  process.exit(EXIT.failed);
}

/** Prints an error as one readable line (the stack only with PEER_COMMS_DEBUG). */
export function reportError(err: unknown, prefix = 'peer-comms'): void {
  if (closed.has(process.stderr)) return;
  const debug = process.env.PEER_COMMS_DEBUG && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  process.stderr.write(`${prefix}: ${describe(err)}${debug}\n`);
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Resolves once everything written so far has been handed to the OS (or the stream is closed). */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (closed.has(stream) || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
