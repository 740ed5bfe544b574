/**
 * Contracts of the sendDirective workflow: input, progress, result. Plain JSON only
 * (epoch milliseconds, no Date/Map/Set): Temporal's default converter is JSON.
 */

export type SendMode = 'auto' | 'light' | 'heavy';
export type DeliveryPath = 'light' | 'heavy';

export interface SendDirectiveInput {
  peer: string;
  /** The directive text, delivered byte-exact. */
  text: string;
  /** auto: light for a short single line, heavy otherwise. */
  mode?: SendMode;
  /** Send even if the agent is busy; the result is then `queued`, not `acked`. */
  queue?: boolean;
  /** Who asked (CLI user@host, a job id); kept in the audit line. */
  requestedBy?: string;
  /**
   * What the text sets the agent doing. gpu: GPU-heavy (refused while a GPU is over its abort
   * temperature or nvidia-smi cannot tell); cpu (default): host work (a rental peer waits for
   * its load to drop); none: a note that starts no work (a halt), never held back.
   */
  workload?: Workload;
}

export type Workload = 'gpu' | 'cpu' | 'none';
export const WORKLOADS: readonly Workload[] = ['gpu', 'cpu', 'none'];

/** Light path: text short enough, and with no line breaks or control characters. */
export const LIGHT_MAX_BYTES = 2000;

export type StepName =
  | 'preflight'
  | 'gpuCheck'
  | 'waitLoad'
  | 'refreshCredentials'
  | 'restartAgent'
  | 'recoverSession'
  | 'paneLock'
  | 'inspectScreen'
  | 'waitIdle'
  | 'deliver'
  | 'submit'
  | 'awaitAck'
  | 'waitRateLimit'
  | 'retryTurn'
  | 'audit';

export type StepStatus = 'running' | 'done' | 'skipped' | 'failed' | 'waiting';

export interface StepRecord {
  step: StepName;
  status: StepStatus;
  /** Epoch ms (workflow time). */
  startedAt: number;
  endedAt?: number;
  /** One line a person can read: what was found or done. */
  detail?: string;
}

/**
 * acked: the agent received exactly this text and its turn shows no API error; queued: sent
 * behind a busy agent's work (--queue); unconfirmed: nothing could tell whether it arrived (check
 * the peer before sending again); failed: it was not delivered, or its turn failed (typed).
 */
export type SendOutcome = 'acked' | 'queued' | 'unconfirmed' | 'failed';

/** What decided an outcome: the agent's hook event log, its session transcript, or the screen alone. */
export type AckSource = 'hook' | 'transcript' | 'screen';

/** The directive's turn as last seen: working on it, done, failed (with the agent's error), queued, or unknown. */
export type TurnState = 'working' | 'done' | 'queued' | 'unknown' | `failed: ${string}`;

export interface SendProgress {
  workflowId: string;
  peer: string;
  /** The step running now, or 'finished'. */
  phase: StepName | 'starting' | 'finished';
  /** The peer worker's task queue, when the peer's steps run there (via: worker). */
  route?: string;
  /** What the send is waiting for right now, if anything (busy agent, pane lock, peer worker, load). */
  waitingFor?: string;
  steps: StepRecord[];
  warnings: string[];
  outcome?: SendOutcome;
  /** The directive's turn as last seen (working, done, failed: <error>). */
  turn?: TurnState;
  error?: string;
}

export interface SendResult {
  workflowId: string;
  peer: string;
  outcome: Exclude<SendOutcome, 'failed'>;
  path: DeliveryPath;
  bytes: number;
  sha256: string;
  /** Extra C-m presses needed because the text still sat in the input box. */
  extraEnters: number;
  /** What proved (or could not prove) that the agent took the text. */
  ackEvidence: string;
  /** Which source decided: hook receipt, transcript receipt, or the screen alone. */
  ackSource: AckSource;
  /** The agent's receipt, when it gave one. */
  receipt?: { source: 'hook' | 'transcript'; at: string; session?: string; promptId?: string; length: number };
  /** The directive's turn when the send ended. */
  turn: TurnState;
  /** Times the text was delivered again after its turn failed (401 restart, rate limit, overload). */
  redeliveries: number;
  /**
   * Where the agent's records stood before the (last) paste and the text's canonical sha256: a
   * peer job reads the turn's later state from here (activity readTurn). Absent without records.
   */
  turnRef?: {
    cursor: { events: number; transcript: { path: string; size: number } | null };
    receiptSha256: string;
  };
  steps: StepRecord[];
  warnings: string[];
}

/** Decides the delivery path for a text. Pure, used by the workflow, CLI and tests alike. */
export function choosePath(text: string, mode: SendMode = 'auto'): DeliveryPath | { error: string } {
  const lightOk = isLightEligible(text);
  if (mode === 'heavy') return 'heavy';
  if (mode === 'light') {
    return lightOk
      ? 'light'
      : {
          error: `the light path takes one line of at most ${LIGHT_MAX_BYTES} bytes without control characters; use heavy`,
        };
  }
  return lightOk ? 'light' : 'heavy';
}

export function isLightEligible(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return utf8Length(text) <= LIGHT_MAX_BYTES && !/[\u0000-\u001f\u007f]/.test(text);
}

/** UTF-8 byte length without Buffer (workflow code has no Node builtins). */
export function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}
