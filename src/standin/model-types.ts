/**
 * What goes in and out of the stand-in's model (model.ts): its settings, the effects it returns
 * (log entries, exit, the turn events recorder.ts turns into hooks and transcript lines), a
 * turn in progress, and the snapshot render.ts draws.
 */

export interface StandinConfig {
  /** Pastes with more lines than this are shown as `[Pasted text #K +M lines]` (real: 3). */
  collapseLines: number;
  /** Pastes longer than this (characters) are shown collapsed too (default 800). */
  collapseChars?: number;
  /** An Enter this soon after the end of a paste is taken as part of the paste (ignored). */
  pasteEnterWindowMs: number;
  /** How long a turn works before it is acknowledged. */
  workMs: number;
  /** Start with the folder-trust dialog. */
  trustDialog: boolean;
  /** Every turn fails with the 401 OAuth error (after the retries). */
  authFail: boolean;
  /** Every turn fails with the 429 rate-limit error (not retried); auth-fail wins. */
  rateLimit: boolean;
  /** A 429 turn shows an ordinary spinner this long, then its error (the real agent: 130–590 ms). */
  rateLimitMs?: number;
  /**
   * An OAuth account's usage limit (test/contract/FINDINGS.md §1b): turns are refused with
   * `You've hit your 5-hour limit · resets <time>`; the limit resets this long (ms) after the first
   * refusal, and then the agent continues by itself with a turn of its own. null: no limit.
   */
  usageLimitMs?: number | null;
  /** A failing turn first shows an ordinary spinner this long (the real agent: ~150 ms). */
  failSpinnerMs: number;
  /**
   * From this long after the start of a failing turn, the retry line names the error (`401 …
   * · retrying`); before, it is the generic `API error · retrying in 1s · attempt 1/10`.
   */
  failStatusMs: number;
  /**
   * Retry attempts shown after failStatusMs, each authRetryMs long, before the final error. 0:
   * the final error comes at failStatusMs and the 401 line never shows (an OAuth login does
   * that: attempts 1 and 2, then the final error at ~2.2–3.2 s).
   */
  authRetries: number;
  authRetryMs: number;
  cwdLabel: string;
}

/** Why a turn failed, by the agent's own name for it (StopFailure's `error`). */
export type ApiFailure = 'authentication_failed' | 'rate_limit';

export type TurnOutcome =
  | { ok: true; message: string }
  /** `resetsAt`: for a usage limit, when it resets (ms); the agent then continues by itself. */
  | { ok: false; error: ApiFailure; message: string; resetsAt?: number };

/** Why a turn fails, as the stand-in plays it: the API's error, or an OAuth usage limit. */
export type Failure = ApiFailure | 'usage_limit';

export type Effect =
  | { kind: 'log'; entry: Record<string, unknown> }
  | { kind: 'exit'; code: number }
  /** The session is on screen (after the trust dialog, if any): SessionStart. */
  | { kind: 'session-start' }
  /**
   * A turn started with this prompt, as the agent received it: UserPromptSubmit for a typed one
   * (source 'typed'); a queued one ('queued') had its UserPromptSubmit when it was queued.
   */
  | { kind: 'prompt'; at: number; prompt: string; source: 'typed' | 'queued' | 'auto' }
  /** A prompt was queued behind the running turn: UserPromptSubmit at once (the real agent does). */
  | { kind: 'enqueue'; at: number; prompt: string }
  /** A turn ended, well (Stop) or in an API error (StopFailure). */
  | { kind: 'turn-end'; at: number; startedAt: number; outcome: TurnOutcome }
  /** The usage limit reset: the agent continues by itself (a `prompt` with source 'auto' follows). */
  | { kind: 'usage-limit-reset'; at: number };

export type Mode = 'trust' | 'idle' | 'working';

export interface Turn {
  verb: readonly [string, string];
  startedAt: number;
  /** When the turn ends (acknowledged, or its final API error). */
  deadline: number;
  /** The error this turn ends in; null for a turn that goes well. */
  failure: Failure | null;
  /** The history block echoing this turn's prompt (the interrupt note goes under it). */
  promptBlock: string[];
}

/** Everything the renderer needs; read-only snapshot of the model. */
export interface ScreenView {
  mode: Mode;
  cwdLabel: string;
  trustSelection: 0 | 1;
  history: readonly (readonly string[])[];
  queued: readonly string[];
  inputLines: readonly string[];
  placeholder: string;
  spinner: { verb: string; startedAt: number } | null;
  /** A failing turn's retry line (`API error · retrying in 1s · attempt 1/10`), in the spinner's place. */
  retryLine: string | null;
  /** Footer lines above the usual one (the usage limit's `⚠ …` notice). */
  footerNotice: readonly string[];
  footerHint: string | null;
}
