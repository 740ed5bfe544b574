/**
 * The worker's log lines (the Temporal runtime's logger): `text` (default) or `json`, one line per
 * entry either way. A failure is its type, message and attempt on that line; its stack only at
 * DEBUG/TRACE. Text is coloured only on a terminal without NO_COLOR; json never is. Secrets
 * (TEMPORAL_API_KEY, …) are masked in every line, and so is any field named like a credential.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];
export const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The runtime stamps forwarded entries with their own time (ns since the epoch) under this key. */
const LOG_TIMESTAMP = Symbol.for('log_timestamp');

/** Fields that only add noise to a line (a task token is long and opaque). */
const DROPPED = new Set(['taskToken']);
/** Fields shown on a text line, in this order; json carries every field. */
const TEXT_FIELDS = ['sdkComponent', 'workflowType', 'workflowId', 'activityType', 'attempt', 'taskQueue', 'peer'];
const SECRET_KEY = /api.?key|authorization|password|passphrase|secret|credential|token/i;
const COLORS: Record<LogLevel, string> = {
  TRACE: '\u001b[90m',
  DEBUG: '\u001b[90m',
  INFO: '\u001b[36m',
  WARN: '\u001b[33m',
  ERROR: '\u001b[31m',
};

/**
 * Whether output to `stream` may carry ANSI colour (worker logs, the CLI's progress): NO_COLOR
 * (any non-empty value) turns it off, FORCE_COLOR turns it on (unless 0/false), else a terminal
 * whose TERM is not dumb.
 */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export interface LineLoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where each line goes (default: stderr). */
  write?: (line: string) => void;
  color?: boolean;
  /** Values never to print (an API key): replaced by `[redacted]` wherever they appear. */
  secrets?: readonly string[];
  /** The clock for entries the runtime did not stamp. */
  now?: () => Date;
}

interface FailureFields {
  type: string;
  message: string;
  cause?: string;
  stack?: string;
}

/** An error as one line's worth: its type (ApplicationFailure.type, or the error's name), message, first cause. */
export function failureFields(err: unknown, withStack: boolean): FailureFields {
  if (!(err instanceof Error)) return { type: 'Error', message: String(err) };
  const typed = (err as { type?: unknown }).type;
  const type = typeof typed === 'string' && typed !== '' ? typed : err.name;
  const out: FailureFields = { type, message: err.message };
  if (err.cause !== undefined) {
    const c = failureFields(err.cause, false);
    out.cause = `${c.type}: ${c.message}`;
  }
  if (withStack && err.stack) out.stack = err.stack;
  return out;
}

export class LineLogger implements Logger {
  private readonly severity: number;
  private readonly write: (line: string) => void;
  private readonly secrets: readonly string[];

  get format(): LogFormat {
    return this.opts.format;
  }

  constructor(private readonly opts: LineLoggerOptions) {
    this.severity = LOG_LEVELS.indexOf(opts.level);
    this.write = opts.write ?? ((line) => void process.stderr.write(`${line}\n`));
    this.secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (LOG_LEVELS.indexOf(level) >= this.severity) this.print(level, message, meta);
  }

  /** Writes the entry whatever the level (the worker's own start line is always shown). */
  print(level: LogLevel, message: string, meta?: LogMetadata): void {
    const stamped: unknown = meta?.[LOG_TIMESTAMP];
    const time =
      typeof stamped === 'bigint' ? new Date(Number(stamped / 1_000_000n)) : (this.opts.now?.() ?? new Date());
    const fields = this.fields(meta);
    const line =
      this.opts.format === 'json'
        ? jsonLine(time, level, message, fields)
        : this.textLine(time, level, message, fields);
    this.write(this.mask(line));
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }

  /** The entry's fields: failures condensed, credentials masked, noise dropped. */
  private fields(meta: LogMetadata | undefined): Record<string, unknown> {
    const withStack = this.severity <= LOG_LEVELS.indexOf('DEBUG');
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(meta ?? {})) {
      if (DROPPED.has(key) || value === undefined) continue;
      if (value instanceof Error) out[key] = failureFields(value, withStack);
      else if (SECRET_KEY.test(key)) out[key] = '[redacted]';
      else out[key] = value;
    }
    return out;
  }

  private textLine(time: Date, level: LogLevel, message: string, fields: Record<string, unknown>): string {
    const tag = this.opts.color ? `${COLORS[level]}${level.padEnd(5)}\u001b[0m` : level.padEnd(5);
    let line = `${time.toISOString()} ${tag} ${message}`;
    const failure = (fields.error ?? fields.failure) as FailureFields | undefined;
    if (failure) line += `: ${failure.type}: ${failure.message}${failure.cause ? ` (cause ${failure.cause})` : ''}`;
    const shown = TEXT_FIELDS.filter((k) => fields[k] !== undefined).map((k) => `${k}=${scalar(fields[k])}`);
    if (shown.length > 0) line += ` [${shown.join(' ')}]`;
    if (failure?.stack) line += `\n${failure.stack.replace(/^/gm, '    ')}`;
    return line;
  }

  private mask(line: string): string {
    let out = line;
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    return out;
  }
}

function jsonLine(time: Date, level: LogLevel, message: string, fields: Record<string, unknown>): string {
  const { time: _t, level: _l, message: _m, ...rest } = fields; // the entry's own three come first and win
  return JSON.stringify({ time: time.toISOString(), level, message, ...rest }, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}
