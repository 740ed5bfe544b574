/**
 * What the stand-in leaves behind about its turns, as the real agent does: hook commands from
 * `--settings` run for SessionStart, UserPromptSubmit, Stop and StopFailure, and the session
 * transcript gets its JSON lines. Fed with the model's effects by agent.ts.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { HookSettings } from './hooks';
import { HookRunner, readHookSettings } from './hooks';
import type { Effect } from './model';
import type { SessionInfo } from './records';
import {
  answerEntry,
  apiErrorEntry,
  promptSubmitInput,
  sessionStartInput,
  stopFailureInput,
  stopInput,
  transcriptDirFor,
  turnDurationEntry,
  userEntry,
} from './records';
import type { StandinOptions } from './options';

/** The newest `<session id>.jsonl` of a folder, if any. */
function newestTranscript(dir: string): string | null {
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
  return best?.path ?? null;
}

export class Recorder {
  readonly session: SessionInfo;
  private readonly hooks: HookRunner;
  private readonly writeTranscript: boolean;
  private readonly resumed: boolean;
  private lastUuid: string | null = null;

  constructor(opts: StandinOptions, cwd: string = process.cwd()) {
    const settings: HookSettings = opts.settings ? readHookSettings(opts.settings) : new Map();
    const dir = opts.transcriptDir ?? transcriptDirFor(homedir(), cwd);
    const previous = opts.continueSession && !opts.sessionId ? newestTranscript(dir) : null;
    const sessionId = opts.sessionId ?? (previous ? basename(previous, '.jsonl') : randomUUID());
    this.resumed = previous !== null;
    this.session = { sessionId, transcriptPath: join(dir, `${sessionId}.jsonl`), cwd };
    this.hooks = new HookRunner(settings, cwd);
    this.writeTranscript = !opts.noTranscript;
  }

  /** Hooks still queued or running. */
  get busy(): boolean {
    return this.hooks.busy;
  }

  apply(effect: Effect): void {
    const s = this.session;
    switch (effect.kind) {
      case 'session-start': {
        const source = this.resumed ? 'resume' : 'startup';
        this.hooks.fire('SessionStart', sessionStartInput(s, source), source);
        break;
      }
      case 'prompt': {
        const promptId = randomUUID();
        this.append(userEntry(s, this.ids(effect.at), effect.prompt, promptId));
        this.hooks.fire('UserPromptSubmit', promptSubmitInput(s, effect.prompt, promptId));
        break;
      }
      case 'turn-end': {
        const o = effect.outcome;
        if (o.ok) {
          this.append(answerEntry(s, this.ids(effect.at), o.message));
          this.append(turnDurationEntry(s, this.ids(effect.at), effect.at - effect.startedAt));
          this.hooks.fire('Stop', stopInput(s, o.message));
        } else {
          this.append(apiErrorEntry(s, this.ids(effect.at), o.error, o.message));
          this.hooks.fire('StopFailure', stopFailureInput(s, o.error, o.message), o.error);
        }
        break;
      }
      default:
        break;
    }
  }

  private ids(at: number): { uuid: string; parentUuid: string | null; at: number } {
    const uuid = randomUUID();
    const ids = { uuid, parentUuid: this.lastUuid, at };
    this.lastUuid = uuid;
    return ids;
  }

  /** Appends one transcript line; a folder that cannot be written loses the line, not the turn. */
  private append(entry: Record<string, unknown>): void {
    if (!this.writeTranscript) return;
    try {
      mkdirSync(dirname(this.session.transcriptPath), { recursive: true });
      appendFileSync(this.session.transcriptPath, `${JSON.stringify(entry)}\n`);
    } catch {
      // the real agent goes on too
    }
  }
}
