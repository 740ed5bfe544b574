/**
 * The line a person reads while Temporal retries a step:
 * `preflight on p1: attempt 2 failed: connect ECONNREFUSED 127.0.0.1:2222 · next try in 8 s`.
 */
import type { PendingRetry } from '../client/send';

/** One retrying step as a line; `now` is the reader's clock (the next try's countdown). */
export function retryLine(r: PendingRetry, peer: string | undefined, now: number): string {
  const where = peer ? `${r.activity} on ${peer}` : r.activity;
  const failed = `${where}: attempt ${r.failedAttempt} failed${r.lastError ? `: ${r.lastError}` : ''}`;
  if (r.nextTryAt === undefined) return `${failed} · trying again (attempt ${r.failedAttempt + 1})`;
  const s = Math.max(0, Math.ceil((r.nextTryAt - now) / 1000));
  return `${failed} · ${s > 0 ? `next try in ${s} s` : 'trying again now'}`;
}

/** Every retrying step, one after another (usually one: a send runs one step at a time). */
export function retryStatus(
  retries: readonly PendingRetry[],
  peer: string | undefined,
  now: number,
): string | undefined {
  if (retries.length === 0) return undefined;
  return retries.map((r) => retryLine(r, peer, now)).join(' | ');
}

/** What makes a retry news on a pipe: which step and which attempt (not the countdown). */
export function retryKey(retries: readonly PendingRetry[]): string {
  return retries.map((r) => `${r.activity}#${r.failedAttempt}`).join('|');
}
