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
import type { ApiFailure, Effect, Failure, Mode, ScreenView, StandinConfig, Turn, TurnOutcome } from './model-types';
import {
  ACK_MESSAGE,
  AUTH_FINAL,
  AUTO_CONTINUE_PROMPT,
  CTRL_C_WINDOW_MS,
  RATE_LIMIT_FINAL,
  VERBS,
  placeholderOf,
  retryLineOf,
  usageLimitFooter,
  usageLimitMessage,
  usageLimitNotice,
} from './screen-words';
import { bytesToText, formatClock } from './text';
import { trustDialogKey } from './trust-dialog';

export type { ApiFailure, Effect, Mode, ScreenView, StandinConfig, TurnOutcome } from './model-types';

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
    // a window of 0 (the default, as the real agent) swallows nothing, not even an Enter in the paste's chunk
    const win = this.cfg.pasteEnterWindowMs;
    if (key.kind === 'enter' && win > 0 && now - this.lastPasteEndAt <= win) return effects;
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
      const message = usageLimitMessage(this.limitResetAt);
      turn.promptBlock.push(`  ⎿  ${message}`);
      this.limitNotice = [usageLimitNotice(this.limitResetAt)];
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
    let footerHint: string | null = null;
    if (now <= this.ctrlCArmedUntil) footerHint = 'Press Ctrl-C again to exit';
    else if (this.collapsedHint) footerHint = 'paste again to expand';
    const turn = this.mode === 'working' ? this.turn : null;
    const retryLine = turn ? retryLineOf(turn, this.cfg, now) : null;
    return {
      mode: this.mode,
      cwdLabel: this.cfg.cwdLabel,
      trustSelection: this.trustSelection,
      history: this.history,
      queued: this.queue.map((q) => summaryOf(q)),
      inputLines: this.input.isEmpty ? [] : this.input.displayLines,
      placeholder: placeholderOf(this.queue.length > 0, this.lastTurnFailed),
      spinner: turn && retryLine === null ? { verb: turn.verb[0], startedAt: turn.startedAt } : null,
      retryLine,
      footerNotice: this.autoContinueAt === null ? [] : usageLimitFooter(this.autoContinueAt),
      footerHint,
    };
  }

  private trustKey(key: Key, now: number): Effect[] {
    const answer = trustDialogKey(key, this.trustSelection, now);
    this.trustSelection = answer.selection;
    if (answer.trusted) this.mode = 'idle';
    return answer.effects;
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
