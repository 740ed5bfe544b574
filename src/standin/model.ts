/**
 * The stand-in agent's behaviour as a pure state machine: keys and the clock go in, log
 * entries and an exit request come out. No I/O and no timers here (agent.ts does those), so
 * every rule can be checked by feeding keys with chosen timestamps.
 */
import type { Key } from './keys';
import type { Segment } from './input';
import { InputBox, bytesOf, summaryOf } from './input';
import { bytesToText, formatClock } from './text';

export interface StandinConfig {
  /** Pastes with more lines than this are shown as `[Pasted text #K +M lines]`. */
  collapseLines: number;
  /** An Enter this soon after the end of a paste is taken as part of the paste (ignored). */
  pasteEnterWindowMs: number;
  /** How long a turn works before it is acknowledged. */
  workMs: number;
  /** Start with the folder-trust dialog. */
  trustDialog: boolean;
  /** Every turn fails with the 401 OAuth error (after the retries). */
  authFail: boolean;
  authRetries: number;
  authRetryMs: number;
  cwdLabel: string;
}

export type Effect = { kind: 'log'; entry: Record<string, unknown> } | { kind: 'exit'; code: number };

export type Mode = 'trust' | 'idle' | 'working' | 'auth-retry';

export const AUTH_ERROR = '401 OAuth token has expired. Please obtain a new token or refresh your existing token.';
export const PLACEHOLDER_QUEUED = 'Press up to edit queued messages';
export const PLACEHOLDER_AUTH = 'Once fixed, resend your message';
export const CTRL_C_WINDOW_MS = 2000;

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
  /** When the turn ends (working) or the current retry attempt ends (auth-retry). */
  deadline: number;
  attempt: number;
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
  authAttempt: number | null;
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
  private lastTurnAuthFailed = false;
  private lastPasteEndAt = Number.NEGATIVE_INFINITY;
  private collapsedHint = false;
  private ctrlCArmedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly cfg: StandinConfig,
    private readonly random: () => number = Math.random,
  ) {
    this.mode = cfg.trustDialog ? 'trust' : 'idle';
    this.authFail = cfg.authFail;
    this.input = new InputBox(cfg.collapseLines);
  }

  /** Flips auth-fail mode (SIGUSR1); returns the new setting. */
  toggleAuthFail(): boolean {
    this.authFail = !this.authFail;
    return this.authFail;
  }

  get busy(): boolean {
    return this.mode === 'working' || this.mode === 'auth-retry';
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
        break;
      case 'up':
        if (this.input.isEmpty && this.queue.length > 0) this.pullQueueBack();
        break;
      default:
        break;
    }
    return effects;
  }

  /** Lets time pass: ends turns and retry attempts whose time has come, starts queued turns. */
  advance(now: number): Effect[] {
    const effects: Effect[] = [];
    while (this.turn && this.turn.deadline <= now) {
      const turn = this.turn;
      if (this.mode === 'auth-retry' && turn.attempt < this.cfg.authRetries) {
        turn.attempt += 1;
        turn.deadline += this.cfg.authRetryMs;
        continue;
      }
      if (this.mode === 'auth-retry') {
        this.history.push([`● Please run /login · API Error: ${AUTH_ERROR}`]);
        this.lastTurnAuthFailed = true;
      } else {
        const secs = Math.max(1, Math.round((turn.deadline - turn.startedAt) / 1000));
        this.history.push(['● Acknowledged. Working on it.']);
        this.history.push([`✻ ${turn.verb[1]} for ${secs}s · done ${formatClock(turn.deadline)}`]);
      }
      this.turn = null;
      this.mode = 'idle';
      const next = this.queue.shift();
      if (next) effects.push(this.startTurn(next, now));
    }
    return effects;
  }

  /** The next moment `advance` has something to do (or the footer changes), if any. */
  nextDeadline(): number | null {
    const times = [this.turn?.deadline, this.ctrlCArmedUntil].filter(
      (t): t is number => t !== undefined && Number.isFinite(t),
    );
    return times.length > 0 ? Math.min(...times) : null;
  }

  view(now: number): ScreenView {
    let placeholder = '';
    if (this.queue.length > 0) placeholder = PLACEHOLDER_QUEUED;
    else if (this.lastTurnAuthFailed) placeholder = PLACEHOLDER_AUTH;
    let footerHint: string | null = null;
    if (now <= this.ctrlCArmedUntil) footerHint = 'Press Ctrl-C again to exit';
    else if (this.collapsedHint) footerHint = 'paste again to expand';
    return {
      mode: this.mode,
      cwdLabel: this.cfg.cwdLabel,
      trustSelection: this.trustSelection,
      history: this.history,
      queued: this.queue.map((q) => summaryOf(q)),
      inputLines: this.input.isEmpty ? [] : this.input.displayLines,
      placeholder,
      spinner:
        this.mode === 'working' && this.turn ? { verb: this.turn.verb[0], startedAt: this.turn.startedAt } : null,
      authAttempt: this.mode === 'auth-retry' && this.turn ? this.turn.attempt : null,
      footerHint,
    };
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
        return [];
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
    this.lastTurnAuthFailed = false;
    if (this.busy) {
      this.queue.push(prompt);
      return [];
    }
    return [this.startTurn(prompt, now)];
  }

  private startTurn(prompt: Segment[], now: number): Effect {
    const bytes = bytesOf(prompt);
    const promptBlock = [`❯ ${summaryOf(prompt)}`];
    this.history.push(promptBlock);
    const verb = VERBS[Math.floor(this.random() * VERBS.length) % VERBS.length] ?? ['Working', 'Worked'];
    const auth = this.authFail;
    this.mode = auth ? 'auth-retry' : 'working';
    this.turn = {
      verb,
      startedAt: now,
      deadline: now + (auth ? this.cfg.authRetryMs : this.cfg.workMs),
      attempt: 1,
      promptBlock,
    };
    const entry = { t: now, b64: Buffer.from(bytes, 'latin1').toString('base64'), text: bytesToText(bytes) };
    return { kind: 'log', entry };
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
