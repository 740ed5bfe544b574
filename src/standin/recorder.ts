/**
 * What the stand-in leaves behind about its turns, as the real agent does: hook commands from
 * `--settings` run for SessionStart, UserPromptSubmit, Stop and StopFailure, and the session
 * transcript gets its JSON lines. Fed with the model's effects by agent.ts.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { HookSettings } from './hooks';
import { HookRunner, readHookSettings } from './hooks';
import type { Effect } from './model-types';
import { formatShortClock } from './screen-words';
import { promptSubmitInput, sessionResumeInput, sessionStartInput, stopFailureInput, stopInput } from './hook-inputs';
import type { EntryIds, SessionInfo } from './records';
import {
  answerEntry,
  apiErrorEntry,
  hookStdoutEntry,
  informationalEntry,
  queueEntry,
  transcriptDirFor,
  turnDurationEntry,
  userEntry,
} from './records';
import { historyFromTranscript } from './transcript-history';
import type { StandinOptions } from './options';

/** The newest `<session id>.jsonl` of a folder, if any. */
function newestTranscript(dir: string): { path: string; mtime: number } | null {
  let best: { path: string; mtime: number } | null = null;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    if (!name.endsWith('.jsonl')) continue;
    const path = join(dir, name);
    try {
      const mtime = statSync(path).mtimeMs;
      if (!best || mtime > best.mtime) best = { path, mtime };
    } catch {
      // gone meanwhile
    }
  }
  return best;
}

export class Recorder {
  readonly session: SessionInfo;
  private readonly hooks: HookRunner;
  private readonly writeTranscript: boolean;
  /** The transcript's last change before a `--continue` (ms), or null for a new session. */
  private readonly resumedFrom: number | null;
  private lastUuid: string | null = null;
  /** The running turn's prompt id (a prompt queued meanwhile is reported under it). */
  private promptId: string | null = null;
  private messages = 0;
  private readonly lagMs: number;
  private readonly pendingLines: string[] = [];

  constructor(opts: StandinOptions, cwd: string = process.cwd()) {
    const settings: HookSettings = opts.settings ? readHookSettings(opts.settings) : new Map();
    const dir = opts.transcriptDir ?? transcriptDirFor(homedir(), cwd, process.env.CLAUDE_CONFIG_DIR);
    const previous = opts.continueSession && !opts.sessionId ? newestTranscript(dir) : null;
    const sessionId = opts.sessionId ?? (previous ? basename(previous.path, '.jsonl') : randomUUID());
    this.resumedFrom = previous ? previous.mtime : null;
    this.session = { sessionId, transcriptPath: join(dir, `${sessionId}.jsonl`), cwd };
    this.hooks = new HookRunner(settings, cwd);
    this.writeTranscript = !opts.noTranscript;
    this.lagMs = opts.transcriptLagMs;
  }

  /** What a `--continue` restart shows again: the resumed session's turns ([] for a new one). */
  restoredHistory(clock: (ms: number) => string): string[][] {
    if (this.resumedFrom === null) return [];
    try {
      return historyFromTranscript(readFileSync(this.session.transcriptPath, 'utf8').split('\n'), clock);
    } catch {
      return [];
    }
  }

  /** Hooks still queued or running. */
  get busy(): boolean {
    return this.hooks.busy;
  }

  apply(effect: Effect, now: number = Date.now()): void {
    const s = this.session;
    switch (effect.kind) {
      case 'session-start':
        if (this.resumedFrom === null) this.hooks.fire('SessionStart', sessionStartInput(s), 'startup');
        else {
          const seconds = Math.max(0, Math.round((now - this.resumedFrom) / 1000));
          this.hooks.fire('SessionStart', sessionResumeInput(s, seconds), 'resume');
        }
        break;
      case 'enqueue':
        // the real agent fires UserPromptSubmit at once, under the running turn's prompt id
        this.append(queueEntry(s, effect.at, 'enqueue', effect.prompt));
        this.submitHook(effect.prompt, this.promptId ?? randomUUID(), effect.at);
        break;
      case 'prompt': {
        const promptId = randomUUID();
        this.promptId = promptId;
        if (effect.source === 'queued') this.append(queueEntry(s, effect.at, 'dequeue'));
        this.append(userEntry(s, this.ids(effect.at), effect.prompt, promptId, effect.source));
        // the agent's own continuation after a usage limit fires UserPromptSubmit too (FINDINGS.md §1b)
        if (effect.source !== 'queued') this.submitHook(effect.prompt, promptId, effect.at);
        break;
      }
      case 'usage-limit-reset':
        this.append(informationalEntry(s, this.ids(effect.at), 'Usage limit reset · Continuing automatically'));
        break;
      case 'turn-end': {
        const o = effect.outcome;
        const promptId = this.promptId ?? randomUUID();
        if (o.ok) {
          this.append(answerEntry(s, this.ids(effect.at), o.message));
          this.append(turnDurationEntry(s, this.ids(effect.at), effect.at - effect.startedAt, this.messages));
          this.hooks.fire('Stop', stopInput(s, promptId, o.message));
        } else {
          this.append(apiErrorEntry(s, this.ids(effect.at), o.error, o.message, o.resetsAt));
          if (o.resetsAt !== undefined) {
            const notice = `Usage limit reached · continuing automatically at ${formatShortClock(o.resetsAt)} · esc to cancel`;
            this.append(informationalEntry(s, this.ids(effect.at), notice));
          }
          this.hooks.fire('StopFailure', stopFailureInput(s, promptId, o.error, o.message), o.error);
        }
        break;
      }
      default:
        break;
    }
  }

  /** UserPromptSubmit; what its commands print goes into the transcript, as the model would get it. */
  private submitHook(prompt: string, promptId: string, at: number): void {
    this.hooks.fire('UserPromptSubmit', promptSubmitInput(this.session, prompt, promptId), undefined, (results) => {
      for (const r of results) {
        if (r.exitCode !== 0 || r.stdout.trim() === '') continue;
        const hook = { event: 'UserPromptSubmit', command: r.command, stdout: r.stdout, exitCode: r.exitCode };
        this.append(hookStdoutEntry(this.session, this.ids(at), hook));
      }
    });
  }

  private ids(at: number): EntryIds {
    const uuid = randomUUID();
    const ids = { uuid, parentUuid: this.lastUuid, at };
    this.lastUuid = uuid;
    this.messages += 1;
    return ids;
  }

  /**
   * Appends one transcript line after the transcript lag (the real agent writes its entries
   * 100–350 ms after the hooks fire, FINDINGS.md §3), in order.
   */
  private append(entry: Record<string, unknown>): void {
    if (!this.writeTranscript) return;
    const line = `${JSON.stringify(entry)}\n`;
    if (this.lagMs <= 0) {
      this.write(line);
      return;
    }
    this.pendingLines.push(line);
    setTimeout(() => {
      const next = this.pendingLines.shift();
      if (next !== undefined) this.write(next);
    }, this.lagMs);
  }

  /** Writes what is still waiting for the lag (on exit). */
  flush(): void {
    for (const line of this.pendingLines.splice(0)) this.write(line);
  }

  /** A folder that cannot be written loses the line, not the turn. */
  private write(line: string): void {
    try {
      mkdirSync(dirname(this.session.transcriptPath), { recursive: true });
      appendFileSync(this.session.transcriptPath, line);
    } catch {
      // the real agent goes on too
    }
  }
}
