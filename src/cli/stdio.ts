/**
 * The CLI's output streams and last-resort error handling.
 *
 * A closed stdout or stderr (`peer-comms fleet status | head -1`) is not an error: what is left
 * to print is dropped, quietly, and the exit code is the command's own (a send that was acked
 * still exits 0). Any other error that reaches the top is printed as one readable line and
 * exits 1: no error path exits 0, and none prints a stack trace unless PEER_COMMS_DEBUG is set.
 *
 * With --json every error is also one JSON object on stdout, `{"ok":false,"error":{type,
 * message,exit,hint?}}`: reportError prints it, and a run that fails with nothing on stdout at
 * all (a command that printed its own line and set its exit code) gets one at exit.
 */
import { EXIT, TYPE_OF_EXIT, describe, errorReport, type ErrorReport } from './exit';

export { describe };

const closed = new Set<NodeJS.WriteStream>();
/** --json: errors as JSON on stdout; whether anything was written there; the last line on stderr. */
const json = { on: false, stdoutUsed: false, lastErr: '' };

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
  watchWrites();
  process.on('exit', (code) => {
    // a failed --json run that printed nothing on stdout still ends with one JSON object
    const message = json.lastErr || 'failed (no message)';
    if (code !== 0) printJson({ type: TYPE_OF_EXIT[code] ?? 'Failed', message, exit: code });
  });
}

/** --json was given: errors are printed as one JSON object on stdout too. */
export function errorsAsJson(on: boolean): void {
  json.on = on;
}

/** Notes what goes out: whether stdout was written to, and the last line written to stderr. */
function watchWrites(): void {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
    if (chunk.length > 0) json.stdoutUsed = true;
    return out(chunk, ...rest);
  };
  process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => {
    const line = (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      .trim()
      .split('\n')
      .pop()
      ?.trim();
    if (line) json.lastErr = line;
    return err(chunk, ...rest);
  };
}

/** The one JSON error object of a --json run (never a second one, never after other output). */
function printJson(report: ErrorReport): void {
  if (!json.on || json.stdoutUsed || closed.has(process.stdout)) return;
  process.stdout.write(`${JSON.stringify({ ok: false, error: report })}\n`);
}

function lastResort(err: unknown): void {
  // a write to a closed stdout that escaped the stream's own handler: still not an error
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return;
  reportError(err, 'peer-comms', { exit: EXIT.failed });
  process.exit(EXIT.failed);
}

/**
 * Prints an error as one readable line (a usage error's hint below it, the stack only with
 * PEER_COMMS_DEBUG) and, with --json, as the run's JSON object. `printed`: the line is out
 * already (commander's own); `exit`: the code the run ends with, if not the error's own.
 */
export function reportError(
  err: unknown,
  prefix = 'peer-comms',
  opts: { printed?: boolean; exit?: number } = {},
): ErrorReport {
  const report = errorReport(err);
  if (opts.exit !== undefined) report.exit = opts.exit;
  printJson(
    prefix === 'peer-comms'
      ? report
      : { ...report, message: `${prefix.replace(/^peer-comms: /, '')}: ${report.message}` },
  );
  if (opts.printed || closed.has(process.stderr)) return report;
  const debug = process.env.PEER_COMMS_DEBUG && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  process.stderr.write(`${prefix}: ${describe(err)}${debug}\n`);
  if (report.hint && report.type === 'UsageError') process.stderr.write(`  hint: ${report.hint}\n`);
  return report;
}

/** Resolves once everything written so far has been handed to the OS (or the stream is closed). */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (closed.has(stream) || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
