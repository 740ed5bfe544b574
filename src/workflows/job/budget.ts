/**
 * A job's wall-clock budget: a durable timer that starts with the directive, pauses while the job
 * waits for a person and carries on (or restarts) after the resolution. Deterministic code only;
 * `now` is workflow time.
 */
import type { CarriedJobState, Resolution } from '../../contracts/job';

/** The directive went out: the budget starts. */
export function startBudget(s: CarriedJobState, now: number): void {
  if (s.budgetMs !== null) s.budgetEndsAt = now + s.budgetMs;
}

/** The budget ran out: a budget stop (true), which waits for a person. */
export function stopIfBudgetSpent(s: CarriedJobState, now: number): boolean {
  if (s.budgetEndsAt === null || now < s.budgetEndsAt) return false;
  s.budgetStopAt = now;
  return true;
}

/** The job waits for a person: the budget keeps what is left. */
export function pauseBudget(s: CarriedJobState, now: number): void {
  if (s.budgetEndsAt === null) return;
  s.budgetPausedLeftMs = Math.max(0, s.budgetEndsAt - now);
  s.budgetEndsAt = null;
}

/** The budget from now on after a resolution (documented in ResolveInput.budgetMs). */
export function budgetAfter(s: CarriedJobState, r: Resolution): number | null {
  if (r.budgetMs !== undefined) return r.budgetMs;
  if (s.budgetMs === null) return null;
  return r.reason === 'budget' ? s.budgetMs : (s.budgetPausedLeftMs ?? s.budgetMs);
}

/** The job watches again after a resolution: the budget runs `next` ms from now (none when null). */
export function resumeBudget(s: CarriedJobState, r: Resolution, next: number | null, now: number): void {
  if (next !== null) {
    s.budgetMs = r.budgetMs ?? s.budgetMs ?? next;
    s.budgetEndsAt = now + next;
  }
  s.budgetPausedLeftMs = null;
}

/** How long the job may wait before its next look at the peer: the scan interval, or less when the budget ends first. */
export function untilNextLook(s: CarriedJobState, now: number): number {
  const untilBudget = s.budgetEndsAt === null ? Infinity : Math.max(1, s.budgetEndsAt - now);
  return Math.min(s.scanIntervalMs, untilBudget);
}
