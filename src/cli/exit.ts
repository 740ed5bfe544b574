/**
 * Exit codes of the CLI (docs/cli.md, "Exit codes") and how an error that ends a run maps to one:
 * the single place that knows it (stdio.ts prints the error, as a line or, with --json, as JSON).
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  queued: 3,
  /** Nothing could tell whether the text arrived: look at the peer before sending again. */
  unconfirmed: 4,
  /** Temporal could not be reached (wrong address, not started, TLS mismatch): nothing was started. */
  unreachable: 5,
} as const;

/** Bad command-line input: the message says what to change. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An error as a run reports it: `{"ok":false,"error":…}` with --json. */
export interface ErrorReport {
  /** UsageError, ConfigError, TextRefused, TemporalUnreachable, or the error's own name. */
  type: string;
  message: string;
  exit: number;
  hint?: string;
}

/** The type named for an exit code, when all that is known of a failed run is its code. */
export const TYPE_OF_EXIT: Record<number, string> = {
  1: 'Failed',
  2: 'UsageError',
  3: 'Queued',
  4: 'Unconfirmed',
  5: 'TemporalUnreachable',
};

/** Errors that are bad input (exit 2), known by name: importing them would load yaml, zod or the client. */
const USAGE_NAMES = new Set(['UsageError', 'ConfigError', 'TextRefused']);

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** The exit code, type, message and hint of an error that ends a run. */
export function errorReport(err: unknown): ErrorReport {
  const name = err instanceof Error ? err.name : 'Error';
  const hintOf = (err as { hint?: unknown } | undefined)?.hint;
  const hint = typeof hintOf === 'string' ? hintOf : undefined;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // a parse error (unknown option, missing argument): commander's message, without its "error: "
    return { type: 'UsageError', message: describe(err).replace(/^error: /, ''), exit: EXIT.usage };
  }
  if (USAGE_NAMES.has(name)) return { type: name, message: describe(err), exit: EXIT.usage, hint };
  if (name === 'TemporalUnreachable') return { type: name, message: describe(err), exit: EXIT.unreachable, hint };
  return { type: name === 'Error' ? 'Failed' : name, message: describe(err), exit: EXIT.failed };
}
