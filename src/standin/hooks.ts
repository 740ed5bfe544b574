/**
 * Command hooks, as Claude Code runs them from `--settings <file>`:
 *
 *   {"hooks": {"<Event>": [{"matcher"?: "...", "hooks": [{"type": "command", "command": "...", "timeout": 5}]}]}}
 *
 * Each matching command runs with `/bin/sh -c <command>`, the event's JSON on stdin (one line
 * and `\n`), and is killed after its timeout (seconds; 60 when not given). The UI never waits
 * for a hook. What a command prints on stdout is handed back (the real agent gives a
 * UserPromptSubmit hook's output to the model, test/contract/FINDINGS.md §1). Events run one after the other (an event's own commands together), so a hook that
 * appends to a file sees SessionStart, UserPromptSubmit, Stop/StopFailure in their order, as
 * with the real agent, which finishes a prompt's hooks before the turn goes on.
 *
 * A matcher is a regular expression tested against the event's matcher value (SessionStart:
 * `source`, StopFailure: `error`); '', '*' or none matches everything; events without a
 * matcher value ignore it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface HookCommand {
  command: string;
  timeoutS: number;
}

interface HookGroup {
  matcher: string | null;
  hooks: HookCommand[];
}

/** Hook groups by event name. */
export type HookSettings = ReadonlyMap<string, readonly HookGroup[]>;

export const DEFAULT_HOOK_TIMEOUT_S = 60;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The hooks of a settings file (or of JSON text, as `claude --settings '{…}'` takes). Entries
 * that are not command hooks are left out; a file that cannot be read or parsed throws.
 */
export function readHookSettings(fileOrJson: string): HookSettings {
  const text = fileOrJson.trimStart().startsWith('{') ? fileOrJson : readFileSync(fileOrJson, 'utf8');
  const parsed: unknown = JSON.parse(text);
  const out = new Map<string, HookGroup[]>();
  const hooks = isRecord(parsed) ? parsed.hooks : undefined;
  if (!isRecord(hooks)) return out;
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    const list: HookGroup[] = [];
    for (const g of groups as unknown[]) {
      if (!isRecord(g) || !Array.isArray(g.hooks)) continue;
      const commands: HookCommand[] = [];
      for (const h of g.hooks as unknown[]) {
        if (!isRecord(h) || h.type !== 'command' || typeof h.command !== 'string') continue;
        const timeoutS = typeof h.timeout === 'number' && h.timeout > 0 ? h.timeout : DEFAULT_HOOK_TIMEOUT_S;
        commands.push({ command: h.command, timeoutS });
      }
      list.push({ matcher: typeof g.matcher === 'string' ? g.matcher : null, hooks: commands });
    }
    out.set(event, list);
  }
  return out;
}

function matches(matcher: string | null, value: string | undefined): boolean {
  if (matcher === null || matcher === '' || matcher === '*' || value === undefined) return true;
  try {
    return new RegExp(`^(?:${matcher})$`).test(value);
  } catch {
    return matcher === value;
  }
}

/** The commands to run for an event whose matcher value (if it has one) is `value`. */
export function commandsFor(settings: HookSettings, event: string, value?: string): HookCommand[] {
  return (settings.get(event) ?? []).filter((g) => matches(g.matcher, value)).flatMap((g) => g.hooks);
}

/** What one command did. */
export interface HookResult {
  command: string;
  /** Exit status; null when killed (its timeout) or not started. */
  exitCode: number | null;
  /** Its stdout (the first 64 KiB). */
  stdout: string;
}

const STDOUT_MAX = 64 * 1024;

/** Runs one command: JSON on stdin, killed after its timeout; never rejects. */
function runCommand(cmd: HookCommand, input: string, cwd: string): Promise<HookResult> {
  return new Promise((done) => {
    const child = spawn('/bin/sh', ['-c', cmd.command], {
      cwd,
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...process.env, CLAUDE_PROJECT_DIR: cwd },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < STDOUT_MAX) stdout += chunk.slice(0, STDOUT_MAX - stdout.length);
    });
    let finished = false;
    // past its timeout the command is killed and no longer waited for (nor what it left running)
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(null);
    }, cmd.timeoutS * 1000);
    const finish = (exitCode: number | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done({ command: cmd.command, exitCode, stdout });
    };
    child.on('error', () => finish(null));
    child.on('close', (code) => finish(code));
    child.stdin.on('error', () => undefined); // EPIPE: the hook did not read its input
    child.stdin.end(input);
  });
}

/** Runs hook events in order, in the background. */
export class HookRunner {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly settings: HookSettings,
    private readonly cwd: string,
  ) {}

  /**
   * Queues an event; its matching commands run (together) once the earlier events' have
   * finished. `then` gets what they did.
   */
  fire(
    event: string,
    input: Record<string, unknown>,
    matcherValue?: string,
    then?: (results: HookResult[]) => void,
  ): void {
    const commands = commandsFor(this.settings, event, matcherValue);
    if (commands.length === 0) return;
    const json = `${JSON.stringify(input)}\n`;
    this.pending += 1;
    this.tail = this.tail.then(async () => {
      const results = await Promise.all(commands.map((c) => runCommand(c, json, this.cwd)));
      this.pending -= 1;
      then?.(results);
    });
  }

  /** Events queued or running. */
  get busy(): boolean {
    return this.pending > 0;
  }
}
