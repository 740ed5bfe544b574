/** Command-line flags of the stand-in agent (see USAGE). */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { StandinConfig } from './model';

export interface StandinOptions extends StandinConfig {
  /** JSONL file that gets one line per submitted prompt (and per dialog keystroke). */
  logFile: string | null;
  pidFile: string | null;
  /** Folder where prompt lines `stand-in: phone home <topic>` / `stand-in: done <job id>` write files. */
  inboxDir: string | null;
}

export const USAGE = `usage: agent [flags]
  --log <file>                   append {"t","b64","text"} per submitted prompt (JSON lines)
  --pid-file <file>              write the process id here
  --inbox <dir>                  a prompt line "stand-in: phone home <topic>" writes <dir>/PHONE-HOME-<topic>.md,
                                 "stand-in: done <job id>" writes <dir>/DONE-<job id>.md (as a peer agent would)
  --cwd-label <text>             path shown in the header (default: the current directory)
  --work-ms <ms>                 how long a turn works (default 3000)
  --collapse-lines <n>           pastes with more lines show as [Pasted text #K +M lines] (default 20)
  --paste-enter-window-ms <ms>   an Enter this soon after a paste is swallowed (default 150)
  --trust-dialog                 start with the folder-trust dialog
  --auth-fail                    every turn fails with 401 (SIGUSR1 toggles this at runtime)
  --credentials <file>           read claudeAiOauth.expiresAt at start, as Claude Code does: an expired
                                 (or missing) token makes every turn fail with 401 until a restart
  --auth-retries <n>             401 retry attempts shown before the final error (default 3)
  --auth-retry-ms <ms>           time per retry attempt (default 300)`;

export function parseOptions(argv: readonly string[], cwd: string): StandinOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      log: { type: 'string' },
      'pid-file': { type: 'string' },
      inbox: { type: 'string' },
      'cwd-label': { type: 'string' },
      'work-ms': { type: 'string' },
      'collapse-lines': { type: 'string' },
      'paste-enter-window-ms': { type: 'string' },
      'trust-dialog': { type: 'boolean' },
      'auth-fail': { type: 'boolean' },
      credentials: { type: 'string' },
      'auth-retries': { type: 'string' },
      'auth-retry-ms': { type: 'string' },
    },
  });
  return {
    logFile: values.log ?? null,
    pidFile: values['pid-file'] ?? null,
    inboxDir: values.inbox ?? null,
    cwdLabel: values['cwd-label'] ?? cwd,
    workMs: count('--work-ms', values['work-ms'], 3000),
    collapseLines: count('--collapse-lines', values['collapse-lines'], 20),
    pasteEnterWindowMs: count('--paste-enter-window-ms', values['paste-enter-window-ms'], 150),
    trustDialog: values['trust-dialog'] ?? false,
    authFail: (values['auth-fail'] ?? false) || (values.credentials !== undefined && !tokenValid(values.credentials)),
    authRetries: Math.max(1, count('--auth-retries', values['auth-retries'], 3)),
    authRetryMs: count('--auth-retry-ms', values['auth-retry-ms'], 300),
  };
}

function count(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${flag} wants a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** The token in a Claude credentials file has not expired (read once, at start). */
function tokenValid(path: string): boolean {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { claudeAiOauth?: { expiresAt?: unknown } };
    const expiresAt = parsed.claudeAiOauth?.expiresAt;
    return typeof expiresAt === 'number' && expiresAt > Date.now();
  } catch {
    return false;
  }
}
