/**
 * What the stand-in writes on screen, as Claude Code 2.1.328 words it: the API error lines and
 * the retry line of a failing turn, the placeholders, the spinner verbs, the usage-limit times.
 */
import type { ApiFailure, StandinConfig, Turn } from './model-types';
import { formatClock } from './text';

export const AUTH_ERROR = '401 OAuth token has expired. Please obtain a new token or refresh your existing token.';
export const AUTH_FINAL = `Please run /login · API Error: ${AUTH_ERROR}`;
export const RATE_LIMIT_FINAL =
  "API Error: Request rejected (429) · This request would exceed your account's rate limit. Please try again later.";
export const GENERIC_RETRY = 'API error · retrying in 1s · attempt 1/10';
export const ACK_MESSAGE = 'Acknowledged. Working on it.';
export const PLACEHOLDER_QUEUED = 'Press up to edit queued messages';
export const PLACEHOLDER_AUTH = 'Once fixed, resend your message';
export const PLACEHOLDER_RATE_LIMIT = 'Resend your message to try again';
export const CTRL_C_WINDOW_MS = 2000;
/** The prompt the agent submits by itself when a usage limit has reset (FINDINGS.md §1b). */
export const AUTO_CONTINUE_PROMPT =
  'Your claude.ai usage limit has reset. Continue the task you were working on when the limit was reached; do not repeat work that is already complete.';

/** `5:17am`, as the usage-limit lines write a time. */
export function formatShortClock(epochMs: number): string {
  return formatClock(epochMs).replace(' AM', 'am').replace(' PM', 'pm');
}

/** The time zone the usage-limit lines name (`UTC`). */
function zoneName(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone === 'Etc/UTC' ? 'UTC' : zone;
}

/** Spinner verbs and how the finished line says them. */
export const VERBS: readonly (readonly [string, string])[] = [
  ['Cogitating', 'Cogitated'],
  ['Photosynthesizing', 'Photosynthesized'],
  ['Forming', 'Formed'],
  ['Brewing', 'Brewed'],
  ['Booping', 'Booped'],
  ['Puttering', 'Puttered'],
  ['Baking', 'Baked'],
  ['Churning', 'Churned'],
  ['Crunching', 'Crunched'],
  ['Sautéing', 'Sautéed'],
];

/**
 * What a failing 401 turn shows in the spinner's place, as the real agent does: nothing (an
 * ordinary spinner) for the first failSpinnerMs, then the generic retry line (attempt 1, 450 ms
 * later attempt 2), then from failStatusMs the retry line naming the error from attempt 3 on,
 * as in 401-retrying.txt. A 429 is not retried: an ordinary spinner until its error.
 */
export function retryLineOf(turn: Turn, cfg: StandinConfig, now: number): string | null {
  if (turn.failure === null) return null;
  const t = now - turn.startedAt;
  if (turn.failure !== 'authentication_failed' || t < cfg.failSpinnerMs) return null;
  const statusAt = Math.max(cfg.failSpinnerMs, cfg.failStatusMs);
  if (t < statusAt) {
    return t < cfg.failSpinnerMs + 450 ? GENERIC_RETRY : GENERIC_RETRY.replace('attempt 1/10', 'attempt 2/10');
  }
  const attempt = Math.min(10, 3 + Math.floor((t - statusAt) / Math.max(1, cfg.authRetryMs)));
  const what = turn.failure === 'authentication_failed' ? AUTH_ERROR : 'API error';
  return `${what} · retrying in 2s · attempt ${attempt}/10`;
}

/** The box's placeholder: queued prompts, else the last turn's API error, else none. */
export function placeholderOf(queued: boolean, lastTurnFailed: ApiFailure | null): string {
  if (queued) return PLACEHOLDER_QUEUED;
  if (lastTurnFailed === 'authentication_failed') return PLACEHOLDER_AUTH;
  if (lastTurnFailed === 'rate_limit') return PLACEHOLDER_RATE_LIMIT;
  return '';
}

/** The refused turn's line under its prompt, for a usage limit that resets at `resetAt`. */
export function usageLimitMessage(resetAt: number): string {
  return `You've hit your 5-hour limit · resets ${formatShortClock(resetAt)} (${zoneName()})`;
}

/** The history line announcing the agent will continue by itself at `resetAt`. */
export function usageLimitNotice(resetAt: number): string {
  return `● Usage limit reached · continuing automatically at ${formatShortClock(resetAt)} · esc to cancel`;
}

/** The footer's notice while the agent waits for the usage limit to reset at `at`. */
export function usageLimitFooter(at: number): string[] {
  return [
    `  ⚠ Usage limit reached · limit resets ${formatShortClock(at)}`,
    `    Continuing automatically at ${formatShortClock(at)} · Esc to cancel`,
  ];
}
