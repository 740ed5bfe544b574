/**
 * Why a job waits for a person and what the person decides: the phone-home, the `phoneHome`
 * signal, the `resolve` update (and `resolveSignal`), the `complete` signal, and what the job keeps
 * of each. Plain JSON only (epoch milliseconds): a person types these payloads into the Web UI's
 * "send signal" box.
 */

/**
 * Why a job waits for a person: the peer phoned home, its wall-clock budget ran out, or the turn
 * of the text the job last sent failed (the agent's error, after the send's own recovery).
 */
export type StopReason = 'phone-home' | 'budget' | 'turn-failed';

export type Decision = 'accept-and-revise' | 'rerun-with-fix' | 'halt-for-review';
export type DecisionLetter = 'a' | 'b' | 'c';

export const DECISIONS: readonly Decision[] = ['accept-and-revise', 'rerun-with-fix', 'halt-for-review'];

/** The reference's (a) / (b) / (c). */
export const DECISION_BY_LETTER: Readonly<Record<DecisionLetter, Decision>> = {
  a: 'accept-and-revise',
  b: 'rerun-with-fix',
  c: 'halt-for-review',
};

/**
 * A decision from what a person typed: a letter (`a`, `B`, `(c)`) or a decision name
 * (`rerun-with-fix`, `Rerun-With-Fix`). Undefined for anything else.
 */
export function parseDecision(input: unknown): Decision | undefined {
  if (typeof input !== 'string') return undefined;
  const s = input
    .trim()
    .toLowerCase()
    .replace(/^\((.)\)$/, '$1');
  if (s === 'a' || s === 'b' || s === 'c') return DECISION_BY_LETTER[s];
  return (DECISIONS as readonly string[]).includes(s) ? (s as Decision) : undefined;
}

/** The letter of a decision, for messages: `rerun-with-fix` → `b`. */
export function decisionLetter(decision: Decision): DecisionLetter {
  return decision === 'accept-and-revise' ? 'a' : decision === 'rerun-with-fix' ? 'b' : 'c';
}

/** A phone-home: the peer stopped on purpose and wrote `PHONE-HOME-<topic>.md` for a person. */
export interface PhoneHome {
  topic: string;
  /** Where the file is (or is expected) on the peer. */
  file?: string;
  text: string;
  /** The peer's recommendation: the file's closing section (see `closingSection`). */
  recommendation: string;
  /** Epoch ms (workflow time) when the job first saw it. */
  seenAt: number;
  source: 'scan' | 'signal';
}

/** Payload of the `phoneHome` signal. UI JSON: `{"topic":"gpu-oom","text":"# ...","file":"PHONE-HOME-gpu-oom.md"}`. */
export interface PhoneHomeSignal {
  /** `gpu-oom` (or the file name `PHONE-HOME-gpu-oom.md`): letters, digits, `.`, `_`, `-`. */
  topic: string;
  text: string;
  /** The file name or its path on the peer; its last part must be `PHONE-HOME-<topic>.md`. */
  file?: string;
}

/**
 * Payload of the `resolve` update and the `resolveSignal` signal.
 * UI JSON: `{"decision":"b","note":"retry with batch size 8","by":"alice"}`.
 */
export interface ResolveInput {
  /** `a` | `b` | `c` (DecisionLetter), or `accept-and-revise` | `rerun-with-fix` | `halt-for-review` (Decision). */
  decision: string;
  /** Sent to the peer with the decision. May be empty. */
  note?: string;
  /** rerun-with-fix: the directive to run instead (sent in full). */
  amendedDirective?: string;
  /**
   * A new wall-clock budget from now on, in ms. Default: after a budget stop the budget restarts
   * with its original length; after a phone-home the rest of the budget carries on.
   */
  budgetMs?: number;
  /** Who decided (user@host). */
  by?: string;
  /**
   * Optional guard: the topic being resolved (`budget` for a budget stop, `turn-failed` for a failed
   * turn); refused if another one is pending.
   */
  topic?: string;
}

export interface Resolution {
  decision: Decision;
  note: string;
  amendedDirective?: string;
  budgetMs?: number;
  by?: string;
  /** Epoch ms (workflow time) when the resolution was accepted. */
  at: number;
  reason: StopReason;
  /** The phone-home resolved (absent for a budget stop or a failed turn). */
  topic?: string;
  /** The failed turn resolved (reason turn-failed): `failed: <error>` and the agent's words. */
  turn?: string;
  /** The send that told the peer, and how it ended. */
  sendWorkflowId?: string;
  sendOutcome?: string;
  /** Where the phone-home file went on the peer, or why it did not move. */
  movedTo?: string;
  moveNote?: string;
}

/** What the `resolve` update answers when it accepts a resolution (it is applied right after). */
export interface ResolveAccepted {
  jobId: string;
  decision: Decision;
  reason: StopReason;
  topic?: string;
  at: number;
}

/** Payload of the `complete` signal (may be left out). UI JSON: `{"note":"merged by hand"}`. */
export interface CompleteInput {
  note?: string;
  by?: string;
}

export interface Completion {
  source: 'signal' | 'marker';
  note?: string;
  by?: string;
  /** The DONE marker's text. */
  text?: string;
  at: number;
}

export interface Rejection {
  /** The message that was refused: `resolveSignal`, `phoneHome`, `complete`. */
  signal: string;
  reason: string;
  at: number;
}
