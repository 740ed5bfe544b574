/** Command-line flags of the stand-in agent (see USAGE). */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { StandinConfig } from './model-types';

export interface StandinOptions extends StandinConfig {
  /** JSONL file that gets one line per submitted prompt (and per dialog keystroke). */
  logFile: string | null;
  pidFile: string | null;
  /** Folder where prompt lines `stand-in: phone home <topic>` / `stand-in: done <job id>` write files. */
  inboxDir: string | null;
  /** `--settings`: a settings file (or JSON text) whose `hooks` are run as Claude Code runs them. */
  settings: string | null;
  /** Folder of the session transcript; null: ~/.claude/projects/<cwd as Claude Code names it>. */
  transcriptDir: string | null;
  /** Write no transcript at all. */
  noTranscript: boolean;
  /** How long after the event a transcript line is written (the real agent: 100–350 ms). */
  transcriptLagMs: number;
  /** `--continue`: go on with the newest transcript of the folder (SessionStart source "resume"). */
  continueSession: boolean;
  /** `--session-id`: the session's id (default: a new random UUID). */
  sessionId: string | null;
}

export const USAGE = `usage: agent [flags]
  --log <file>                   append {"t","b64","text"} per submitted prompt (JSON lines)
  --pid-file <file>              write the process id here
  --inbox <dir>                  a prompt line "stand-in: phone home <topic>" writes <dir>/PHONE-HOME-<topic>.md,
                                 "stand-in: done <job id>" writes <dir>/DONE-<job id>.md (as a peer agent would)
  --cwd-label <text>             path shown in the header (default: the current directory)
  --work-ms <ms>                 how long a turn works (default 3000)
  --collapse-lines <n>           pastes with more lines show as [Pasted text #K +M lines] (default 3)
  --collapse-chars <n>           and so do pastes longer than this (default 800)
  --paste-enter-window-ms <ms>   an Enter this soon after a paste is swallowed (default 0: the
                                 real Claude Code 2.1.328 swallows none, FINDINGS.md §4)
  --trust-dialog                 start with the folder-trust dialog
  --auth-fail                    every turn fails with 401 (SIGUSR1 toggles this at runtime)
  --rate-limit                   every turn fails with 429, not retried (SIGUSR2 toggles this at runtime)
  --rate-limit-ms <ms>           when the 429 error ends the turn (default 400)
  --usage-limit <ms>             turns hit an OAuth usage limit ("You've hit your 5-hour limit · resets …")
                                 that resets <ms> after the first refusal; then the agent continues by itself
  --credentials <file>           read claudeAiOauth.expiresAt at start, as Claude Code does: an expired
                                 (or missing) token makes every turn fail with 401 until a restart
  A failing turn goes as the real one does: an ordinary spinner, then "API error · retrying in 1s ·
  attempt 1/10", then the error's own retry line, then the final error:
  --fail-spinner-ms <ms>         how long the ordinary spinner shows (default 150)
  --fail-status-ms <ms>          when the 401 retry line replaces the generic one (default 1800)
  --auth-retries <n>             retry attempts shown after that, before the final error (default 3;
                                 0: the final error at --fail-status-ms, no 401 line, as with OAuth)
  --auth-retry-ms <ms>           time per retry attempt (default 300)
  --settings <file|json>         run its "hooks" as Claude Code does (SessionStart, UserPromptSubmit,
                                 Stop, StopFailure): /bin/sh -c <command>, the event's JSON on stdin
  --transcript-dir <dir>         write the session transcript (JSON lines) to <dir>/<session id>.jsonl
                                 (default $CLAUDE_CONFIG_DIR or ~/.claude, then projects/<cwd, non-alphanumerics as ->)
  --no-transcript                write no transcript
  --transcript-lag-ms <ms>       write each transcript line this long after its event, as the real
                                 agent does (default 200; its user entry may come after the Stop hook)
  --session-id <uuid>            the session id (default: a new one)
  --continue                     go on with the newest transcript in the folder`;

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
      'collapse-chars': { type: 'string' },
      'paste-enter-window-ms': { type: 'string' },
      'trust-dialog': { type: 'boolean' },
      'auth-fail': { type: 'boolean' },
      'rate-limit': { type: 'boolean' },
      'rate-limit-ms': { type: 'string' },
      'usage-limit': { type: 'string' },
      credentials: { type: 'string' },
      'fail-spinner-ms': { type: 'string' },
      'fail-status-ms': { type: 'string' },
      'auth-retries': { type: 'string' },
      'auth-retry-ms': { type: 'string' },
      settings: { type: 'string' },
      'transcript-dir': { type: 'string' },
      'no-transcript': { type: 'boolean' },
      'transcript-lag-ms': { type: 'string' },
      'session-id': { type: 'string' },
      continue: { type: 'boolean' },
    },
  });
  return {
    logFile: values.log ?? null,
    pidFile: values['pid-file'] ?? null,
    inboxDir: values.inbox ?? null,
    cwdLabel: values['cwd-label'] ?? cwd,
    workMs: count('--work-ms', values['work-ms'], 3000),
    collapseLines: count('--collapse-lines', values['collapse-lines'], 3),
    collapseChars: count('--collapse-chars', values['collapse-chars'], 800),
    pasteEnterWindowMs: count('--paste-enter-window-ms', values['paste-enter-window-ms'], 0),
    trustDialog: values['trust-dialog'] ?? false,
    authFail: (values['auth-fail'] ?? false) || (values.credentials !== undefined && !tokenValid(values.credentials)),
    rateLimit: values['rate-limit'] ?? false,
    rateLimitMs: count('--rate-limit-ms', values['rate-limit-ms'], 400),
    usageLimitMs: values['usage-limit'] === undefined ? null : count('--usage-limit', values['usage-limit'], 0),
    failSpinnerMs: count('--fail-spinner-ms', values['fail-spinner-ms'], 150),
    failStatusMs: count('--fail-status-ms', values['fail-status-ms'], 1800),
    authRetries: count('--auth-retries', values['auth-retries'], 3),
    authRetryMs: count('--auth-retry-ms', values['auth-retry-ms'], 300),
    settings: values.settings ?? null,
    transcriptDir: values['transcript-dir'] ?? null,
    noTranscript: values['no-transcript'] ?? false,
    transcriptLagMs: count('--transcript-lag-ms', values['transcript-lag-ms'], 200),
    continueSession: values.continue ?? false,
    sessionId: sessionIdOf(values['session-id']),
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

function sessionIdOf(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,100}$/.test(raw))
    throw new Error(`--session-id: letters, digits and -, got ${JSON.stringify(raw)}`);
  return raw;
}
