/**
 * The stand-in agent's behaviour as a pure state machine: keys and the clock go in; log
 * entries, an exit request and the turn events the agent's records are made of (session start,
 * prompt, queued prompt, turn end, usage-limit reset: recorder.ts turns them into hook runs and
 * transcript lines) come out. No I/O and no timers here (agent.ts does those), so every rule
 * can be checked by feeding keys with chosen timestamps. Failing turns go as the real agent's
 * do (test/contract/FINDINGS.md): a 401 shows an ordinary spinner, the generic
 * `API error · retrying` line, the `401 … retrying` line, then `Please run /login`; a 429 is
 * not retried; an OAuth usage limit refuses the turn and continues by itself at the reset.
 */
import type { Key } from './keys';
import type { Segment } from './input';
import { InputBox, bytesOf, echoLinesOf, promptOf, summaryOf } from './input';
import { bytesToText, formatClock } from './text';

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
type Failure = ApiFailure | 'usage_limit';

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

interface Turn {
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

export class StandinModel {
  private mode: Mode;
  private trustSelection: 0 | 1 = 0;
  private readonly input: InputBox;
  private readonly history: string[][] = [];
  private readonly queue: Segment[][] = [];
  private turn: Turn | null = null;
  private authFail: boolean;
  private rateLimit: boolean;
  private lastTurnFailed: ApiFailure | null = null;
  /** When the usage limit resets (set by the first refusal); null before. */
  private limitResetAt: number | null = null;
  /** The agent continues by itself then (null: nothing pending, or cancelled with Escape). */
  private autoContinueAt: number | null = null;
  /** The history line that announces the auto-continuation (reworded when it happens). */
  private limitNotice: string[] | null = null;
  private lastPasteEndAt = Number.NEGATIVE_INFINITY;
  private collapsedHint = false;
  private ctrlCArmedUntil = Number.NEGATIVE_INFINITY;
  /** The id in every `<pasted_content id="…">` of this session: 4 hex digits. */
  readonly pasteId: string;

  constructor(
    private readonly cfg: StandinConfig,
    private readonly random: () => number = Math.random,
  ) {
    this.mode = cfg.trustDialog ? 'trust' : 'idle';
    this.authFail = cfg.authFail;
    this.rateLimit = cfg.rateLimit;
    this.input = new InputBox(cfg.collapseLines, cfg.collapseChars);
    this.pasteId = Math.floor(random() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  }

  /** Shows a resumed session's earlier turns (`--continue`), as the real agent does. */
  restoreHistory(blocks: readonly (readonly string[])[]): void {
    this.history.push(...blocks.map((b) => [...b]));
  }

  /** What happens at start: the session begins now unless the trust dialog comes first. */
  start(): Effect[] {
    return this.mode === 'trust' ? [] : [{ kind: 'session-start' }];
  }

  /** Flips auth-fail mode (SIGUSR1); returns the new setting. */
  toggleAuthFail(): boolean {
    this.authFail = !this.authFail;
    return this.authFail;
  }

  /** Flips rate-limit mode (SIGUSR2); returns the new setting. */
  toggleRateLimit(): boolean {
    this.rateLimit = !this.rateLimit;
    return this.rateLimit;
  }

  get busy(): boolean {
    return this.mode === 'working';
  }

  handleKey(key: Key, now: number): Effect[] {
    const effects = this.advance(now);
    if (key.kind === 'ctrl-c') {
      if (now <= this.ctrlCArmedUntil) return [...effects, { kind: 'exit', code: 0 }];
      this.ctrlCArmedUntil = now + CTRL_C_WINDOW_MS;
      this.input.clear();
      return effects;
    }
    if (key.kind === 'paste') this.lastPasteEndAt = now;
    if (key.kind === 'enter' && now - this.lastPasteEndAt <= this.cfg.pasteEnterWindowMs) return effects;
    if (this.mode === 'trust') return [...effects, ...this.trustKey(key, now)];
    this.collapsedHint = false;
    switch (key.kind) {
      case 'text':
        this.input.typeText(key.bytes);
        break;
      case 'paste':
        this.collapsedHint = this.input.paste(key.bytes);
        break;
      case 'backspace':
        this.input.backspace();
        break;
      case 'enter':
        effects.push(...this.submit(now));
        break;
      case 'escape':
        if (this.busy) this.interrupt();
        else if (this.autoContinueAt !== null) this.cancelAutoContinue();
        break;
      case 'up':
        if (this.input.isEmpty && this.queue.length > 0) this.pullQueueBack();
        break;
      default:
        break;
    }
    return effects;
  }

  /** Lets time pass: ends turns whose time has come, starts queued turns, continues after a usage limit. */
  advance(now: number): Effect[] {
    const effects: Effect[] = [];
    for (;;) {
      if (this.turn && this.turn.deadline <= now) {
        effects.push(...this.endTurn(this.turn, now));
        continue;
      }
      if (!this.turn && this.autoContinueAt !== null && this.autoContinueAt <= now) {
        const at = this.autoContinueAt;
        this.autoContinueAt = null;
        if (this.limitNotice) this.limitNotice[0] = '● Usage limit reset · Continuing automatically';
        effects.push({ kind: 'usage-limit-reset', at });
        effects.push(...this.startTurn(null, at, 'auto'));
        continue;
      }
      return effects;
    }
  }

  private endTurn(turn: Turn, now: number): Effect[] {
    const effects: Effect[] = [];
    let outcome: TurnOutcome;
    if (turn.failure === 'usage_limit') {
      this.limitResetAt ??= turn.deadline + (this.cfg.usageLimitMs ?? 0);
      const at = formatShortClock(this.limitResetAt);
      const message = `You've hit your 5-hour limit · resets ${at} (${zoneName()})`;
      turn.promptBlock.push(`  ⎿  ${message}`);
      this.limitNotice = [`● Usage limit reached · continuing automatically at ${at} · esc to cancel`];
      this.history.push(this.limitNotice);
      this.autoContinueAt = this.limitResetAt;
      outcome = { ok: false, error: 'rate_limit', message, resetsAt: this.limitResetAt };
    } else if (turn.failure !== null) {
      const message = turn.failure === 'authentication_failed' ? AUTH_FINAL : RATE_LIMIT_FINAL;
      this.history.push([`● ${message}`]);
      this.lastTurnFailed = turn.failure;
      outcome = { ok: false, error: turn.failure, message };
    } else {
      const secs = Math.max(1, Math.round((turn.deadline - turn.startedAt) / 1000));
      this.history.push([`● ${ACK_MESSAGE}`]);
      this.history.push([`✻ ${turn.verb[1]} for ${secs}s · done ${formatClock(turn.deadline)}`]);
      outcome = { ok: true, message: ACK_MESSAGE };
    }
    effects.push({ kind: 'turn-end', at: turn.deadline, startedAt: turn.startedAt, outcome });
    this.turn = null;
    this.mode = 'idle';
    const next = this.queue.shift();
    if (next) effects.push(...this.startTurn(next, now, 'queued'));
    return effects;
  }

  private cancelAutoContinue(): void {
    this.autoContinueAt = null;
    if (this.limitNotice) this.limitNotice[0] = '● Usage limit reached';
  }

  /** The next moment `advance` has something to do (or the footer changes), if any. */
  nextDeadline(): number | null {
    const times = [this.turn?.deadline, this.ctrlCArmedUntil, this.autoContinueAt ?? undefined].filter(
      (t): t is number => t !== undefined && Number.isFinite(t),
    );
    return times.length > 0 ? Math.min(...times) : null;
  }

  view(now: number): ScreenView {
    let placeholder = '';
    if (this.queue.length > 0) placeholder = PLACEHOLDER_QUEUED;
    else if (this.lastTurnFailed === 'authentication_failed') placeholder = PLACEHOLDER_AUTH;
    else if (this.lastTurnFailed === 'rate_limit') placeholder = PLACEHOLDER_RATE_LIMIT;
    let footerHint: string | null = null;
    if (now <= this.ctrlCArmedUntil) footerHint = 'Press Ctrl-C again to exit';
    else if (this.collapsedHint) footerHint = 'paste again to expand';
    const turn = this.mode === 'working' ? this.turn : null;
    const retryLine = turn ? this.retryLineOf(turn, now) : null;
    return {
      mode: this.mode,
      cwdLabel: this.cfg.cwdLabel,
      trustSelection: this.trustSelection,
      history: this.history,
      queued: this.queue.map((q) => summaryOf(q)),
      inputLines: this.input.isEmpty ? [] : this.input.displayLines,
      placeholder,
      spinner: turn && retryLine === null ? { verb: turn.verb[0], startedAt: turn.startedAt } : null,
      retryLine,
      footerNotice:
        this.autoContinueAt === null
          ? []
          : [
              `  ⚠ Usage limit reached · limit resets ${formatShortClock(this.autoContinueAt)}`,
              `    Continuing automatically at ${formatShortClock(this.autoContinueAt)} · Esc to cancel`,
            ],
      footerHint,
    };
  }

  /**
   * What a failing 401 turn shows in the spinner's place, as the real agent does: nothing (an
   * ordinary spinner) for the first failSpinnerMs, then the generic retry line (attempt 1, 450 ms
   * later attempt 2), then from failStatusMs the retry line naming the error from attempt 3 on,
   * as in 401-retrying.txt. A 429 is not retried: an ordinary spinner until its error.
   */
  private retryLineOf(turn: Turn, now: number): string | null {
    if (turn.failure === null) return null;
    const t = now - turn.startedAt;
    if (turn.failure !== 'authentication_failed' || t < this.cfg.failSpinnerMs) return null;
    const statusAt = Math.max(this.cfg.failSpinnerMs, this.cfg.failStatusMs);
    if (t < statusAt) {
      return t < this.cfg.failSpinnerMs + 450 ? GENERIC_RETRY : GENERIC_RETRY.replace('attempt 1/10', 'attempt 2/10');
    }
    const attempt = Math.min(10, 3 + Math.floor((t - statusAt) / Math.max(1, this.cfg.authRetryMs)));
    const what = turn.failure === 'authentication_failed' ? AUTH_ERROR : 'API error';
    return `${what} · retrying in 2s · attempt ${attempt}/10`;
  }

  private trustKey(key: Key, now: number): Effect[] {
    switch (key.kind) {
      case 'up':
        this.trustSelection = 0;
        return [];
      case 'down':
        this.trustSelection = 1;
        return [];
      case 'escape':
        return [{ kind: 'exit', code: 1 }];
      case 'enter':
        if (this.trustSelection === 0) return [{ kind: 'exit', code: 1 }];
        this.mode = 'idle';
        return [{ kind: 'session-start' }];
      case 'text':
      case 'paste':
        return [{ kind: 'log', entry: { t: now, dialogInput: bytesToText(key.bytes) } }];
      default:
        return [];
    }
  }

  private submit(now: number): Effect[] {
    if (this.input.isEmpty) return [];
    const prompt = this.input.take();
    this.lastTurnFailed = null;
    if (this.busy) {
      this.queue.push(prompt);
      return [{ kind: 'enqueue', at: now, prompt: promptOf(prompt, this.pasteId) }];
    }
    return this.startTurn(prompt, now, 'typed');
  }

  /** Starts a turn with a prompt from the box or the queue, or (null) the agent's own continuation. */
  private startTurn(prompt: Segment[] | null, now: number, source: 'typed' | 'queued' | 'auto'): Effect[] {
    const bytes = prompt ? bytesOf(prompt) : '';
    const promptBlock = prompt ? echoLinesOf(prompt) : [];
    if (prompt) this.history.push(promptBlock);
    const verb = VERBS[Math.floor(this.random() * VERBS.length) % VERBS.length] ?? ['Working', 'Worked'];
    let failure: Failure | null = null;
    if (this.authFail) failure = 'authentication_failed';
    else if (this.rateLimit) failure = 'rate_limit';
    else if (this.usageLimited(now)) failure = 'usage_limit';
    let lasts = this.cfg.workMs;
    if (failure === 'authentication_failed') {
      lasts = Math.max(this.cfg.failSpinnerMs, this.cfg.failStatusMs) + this.cfg.authRetries * this.cfg.authRetryMs;
    } else if (failure !== null) {
      lasts = this.cfg.rateLimitMs ?? 400;
    }
    this.mode = 'working';
    this.turn = { verb, startedAt: now, deadline: now + lasts, failure, promptBlock };
    const received = prompt ? promptOf(prompt, this.pasteId) : AUTO_CONTINUE_PROMPT;
    const effects: Effect[] = [];
    if (prompt) {
      const entry = {
        t: now,
        b64: Buffer.from(bytes, 'latin1').toString('base64'),
        text: bytesToText(bytes),
        prompt: received,
      };
      effects.push({ kind: 'log', entry });
    }
    effects.push({ kind: 'prompt', at: now, prompt: received, source });
    return effects;
  }

  /** Turns are refused while a usage limit is set and has not reset yet. */
  private usageLimited(now: number): boolean {
    const ms = this.cfg.usageLimitMs;
    if (ms === undefined || ms === null) return false;
    return this.limitResetAt === null || now < this.limitResetAt;
  }

  private interrupt(): void {
    this.turn?.promptBlock.push('  ⎿  Interrupted by user');
    this.turn = null;
    this.mode = 'idle';
    this.pullQueueBack();
  }

  /** Queued prompts go back into the input box (joined by newlines) for editing. */
  private pullQueueBack(): void {
    const all: Segment[] = [];
    this.queue.splice(0).forEach((q, i) => {
      if (i > 0) all.push({ kind: 'text', bytes: '\n' });
      all.push(...q);
    });
    this.input.restore(all);
  }
}
