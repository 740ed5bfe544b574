/** Exit codes of the CLI, documented in the README. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  queued: 3,
  /** Nothing could tell whether the text arrived: look at the peer before sending again. */
  unconfirmed: 4,
} as const;

/** Bad command-line input: the message says what to change. */
export class UsageError extends Error {
  override name = 'UsageError';
}
