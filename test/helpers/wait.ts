/**
 * Polling instead of sleeping: `waitFor` calls `fn` until it returns something truthy and
 * hands that value back, or fails after `timeoutMs` naming what it waited for and the last
 * value it saw (a screen capture, a file's content...), which makes a failure readable.
 *
 * A call of `fn` that throws counts as "not yet" (handy for files that do not exist yet);
 * the last error is in the timeout message.
 *
 * Two ways to call it (the positional form is the first version's, kept for its callers):
 *   await waitFor(() => screen().includes('❯'), { timeoutMs: 5000, what: 'the input box' });
 *   await waitFor(() => done, 5000, 'the job');   // timeoutMs = 5000, what, intervalMs = 20
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  /** Pause between calls; default 50 ms. */
  intervalMs?: number;
  /** What is being waited for, for the error message ("the working marker"). */
  what: string;
}

/** T without its falsy members: what `waitFor` resolves with (`cond && value` gives the value's type). */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export function waitFor<T>(fn: () => T | Promise<T>, opts: WaitOptions): Promise<Truthy<T>>;
export function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs?: number,
  what?: string,
  intervalMs?: number,
): Promise<Truthy<T>>;
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  optsOrTimeout: WaitOptions | number = 5000,
  what = 'condition',
  intervalMs = 20,
): Promise<Truthy<T>> {
  const opts: WaitOptions =
    typeof optsOrTimeout === 'number' ? { timeoutMs: optsOrTimeout, what, intervalMs } : optsOrTimeout;
  const interval = opts.intervalMs ?? 50;
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown = undefined;
  let lastError: unknown = undefined;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as Truthy<T>;
      last = value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
  const seen = lastError !== undefined ? `last error: ${describe(lastError)}` : `last value: ${describe(last)}`;
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}; ${seen}`);
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  if (typeof value === 'string') return value.includes('\n') ? `\n${value}` : JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
