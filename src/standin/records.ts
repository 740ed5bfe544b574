/**
 * The agent's own records of its turns, shaped as Claude Code 2.1.328 writes them
 * (test/contract/FINDINGS.md §1 and §3, field order as observed):
 *   - hook inputs (the JSON a command hook reads on stdin): SessionStart, UserPromptSubmit,
 *     Stop, StopFailure (no `error_details`: never seen);
 *   - session transcript lines (`~/.claude/projects/<cwd, non-alphanumerics as ->/<session>.jsonl`):
 *     a `user` entry per prompt (`promptId` = the hook's `prompt_id`), an `assistant` entry per
 *     answer or API error (`isApiErrorMessage: true`, `error`), a `system` `turn_duration` entry
 *     per turn that ended well (none for a failed one), `queue-operation` entries for a prompt
 *     queued while a turn runs, an `attachment` entry for a UserPromptSubmit hook's stdout.
 * Pure: ids and times come in; recorder.ts runs the hooks and appends the lines.
 */
import { join } from 'node:path';
import type { ApiFailure } from './model';

export const AGENT_VERSION = '2.1.328';
export const AGENT_MODEL = 'claude-opus-5-5';

export interface SessionInfo {
  sessionId: string;
  transcriptPath: string;
  /** The agent's working folder (its real cwd, not the header label). */
  cwd: string;
}

/**
 * The transcript folder of an agent working in `cwd`, as Claude Code names it: below
 * `$CLAUDE_CONFIG_DIR` when set, else `~/.claude`.
 */
export function transcriptDirFor(home: string, cwd: string, configDir?: string): string {
  return join(configDir || join(home, '.claude'), 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'));
}

function base(s: SessionInfo): Record<string, unknown> {
  return { session_id: s.sessionId, transcript_path: s.transcriptPath, cwd: s.cwd };
}

export function sessionStartInput(s: SessionInfo): Record<string, unknown> {
  return { ...base(s), hook_event_name: 'SessionStart', source: 'startup', model: AGENT_MODEL };
}

/** SessionStart after `--continue`: same session id and transcript, source "resume". */
export function sessionResumeInput(s: SessionInfo, secondsSinceLastResponse: number): Record<string, unknown> {
  return {
    ...base(s),
    hook_event_name: 'SessionStart',
    source: 'resume',
    seconds_since_last_response: secondsSinceLastResponse,
    context_tokens: 0,
    prompt_cache_likely_expired: secondsSinceLastResponse > 300,
    estimated_cache_write_usd: 0,
  };
}

export function promptSubmitInput(s: SessionInfo, prompt: string, promptId: string): Record<string, unknown> {
  return {
    ...base(s),
    prompt_id: promptId,
    permission_mode: 'auto',
    hook_event_name: 'UserPromptSubmit',
    prompt,
  };
}

export function stopInput(s: SessionInfo, promptId: string, lastAssistantMessage: string): Record<string, unknown> {
  return {
    ...base(s),
    prompt_id: promptId,
    permission_mode: 'auto',
    effort: { level: 'medium' },
    hook_event_name: 'Stop',
    stop_hook_active: false,
    last_assistant_message: lastAssistantMessage,
    background_tasks: [],
    session_crons: [],
  };
}

export function stopFailureInput(
  s: SessionInfo,
  promptId: string,
  error: ApiFailure,
  lastAssistantMessage: string,
): Record<string, unknown> {
  return {
    ...base(s),
    prompt_id: promptId,
    effort: { level: 'medium' },
    hook_event_name: 'StopFailure',
    error,
    last_assistant_message: lastAssistantMessage,
  };
}

/** Ids and time of one transcript entry; parentUuid chains the entries of a session. */
export interface EntryIds {
  uuid: string;
  parentUuid: string | null;
  at: number;
}

function tail(s: SessionInfo): Record<string, unknown> {
  return { userType: 'external', entrypoint: 'cli', cwd: s.cwd, sessionId: s.sessionId, version: AGENT_VERSION };
}

const iso = (at: number): string => new Date(at).toISOString();

/** A prompt; 'auto' is the agent's own continuation after a usage limit (a meta entry). */
export function userEntry(
  s: SessionInfo,
  ids: EntryIds,
  prompt: string,
  promptId: string,
  source: 'typed' | 'queued' | 'auto',
): Record<string, unknown> {
  const auto = source === 'auto';
  return {
    parentUuid: ids.parentUuid,
    isSidechain: false,
    promptId,
    type: 'user',
    message: { role: 'user', content: prompt },
    ...(auto ? { isMeta: true } : {}),
    uuid: ids.uuid,
    timestamp: iso(ids.at),
    permissionMode: 'auto',
    origin: { kind: auto ? 'auto-continuation' : 'human' },
    promptSource: auto ? 'system' : source,
    turnOrigin: auto ? 'auto_continuation' : 'human',
    ...tail(s),
  };
}

export function informationalEntry(s: SessionInfo, ids: EntryIds, content: string): Record<string, unknown> {
  return {
    parentUuid: ids.parentUuid,
    isSidechain: false,
    type: 'system',
    subtype: 'informational',
    content,
    level: 'notice',
    timestamp: iso(ids.at),
    uuid: ids.uuid,
    isMeta: false,
    ...tail(s),
  };
}

export function queueEntry(
  s: SessionInfo,
  at: number,
  operation: 'enqueue' | 'dequeue',
  content?: string,
): Record<string, unknown> {
  return {
    type: 'queue-operation',
    operation,
    timestamp: iso(at),
    sessionId: s.sessionId,
    ...(content === undefined ? {} : { content }),
  };
}

export function hookStdoutEntry(
  s: SessionInfo,
  ids: EntryIds,
  hook: { event: string; command: string; stdout: string; exitCode: number },
): Record<string, unknown> {
  return {
    parentUuid: ids.parentUuid,
    isSidechain: false,
    type: 'attachment',
    attachment: {
      type: 'hook_success',
      hookName: hook.event,
      hookEvent: hook.event,
      content: hook.stdout.trim(),
      stdout: hook.stdout,
      stderr: '',
      exitCode: hook.exitCode,
      command: hook.command,
    },
    uuid: ids.uuid,
    timestamp: iso(ids.at),
    ...tail(s),
  };
}

function assistantMessage(id: string, model: string, text: string, stopReason: string): Record<string, unknown> {
  return {
    id,
    model,
    role: 'assistant',
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? '' : null,
    type: 'message',
    usage: { input_tokens: 0, output_tokens: 0 },
    content: [{ type: 'text', text }],
  };
}

export function answerEntry(s: SessionInfo, ids: EntryIds, text: string): Record<string, unknown> {
  return {
    parentUuid: ids.parentUuid,
    isSidechain: false,
    type: 'assistant',
    uuid: ids.uuid,
    timestamp: iso(ids.at),
    message: assistantMessage(`msg_${ids.uuid.replace(/-/g, '')}`, AGENT_MODEL, text, 'end_turn'),
    ...tail(s),
  };
}

const API_ERROR: Record<ApiFailure, { status: number; type: string }> = {
  authentication_failed: { status: 401, type: 'authentication_error' },
  rate_limit: { status: 429, type: 'rate_limit_error' },
};

/** An API error; `resetsAt` (ms) makes it an OAuth usage limit with its reset time. */
export function apiErrorEntry(
  s: SessionInfo,
  ids: EntryIds,
  error: ApiFailure,
  text: string,
  resetsAt?: number,
): Record<string, unknown> {
  const resets = resetsAt === undefined ? undefined : Math.round(resetsAt / 1000);
  const usage =
    resets === undefined
      ? {}
      : {
          apiError: 'usage_limit_reached',
          apiErrorParams: { rate_limit_info: { status: 'rejected', resetsAt: resets, rateLimitType: 'five_hour' } },
          quotaLimits: { status: 'rejected', resetsAt: resets },
        };
  return {
    parentUuid: ids.parentUuid,
    isSidechain: false,
    type: 'assistant',
    uuid: ids.uuid,
    timestamp: iso(ids.at),
    message: assistantMessage(ids.uuid, '<synthetic>', text, 'stop_sequence'),
    ...usage,
    ...(error === 'rate_limit' ? { apiErrorIsTransient: false } : {}),
    error,
    isApiErrorMessage: true,
    apiErrorStatus: API_ERROR[error].status,
    apiErrorType: API_ERROR[error].type,
    session_id: s.sessionId,
    ...tail(s),
  };
}

export function turnDurationEntry(
  s: SessionInfo,
  ids: EntryIds,
  durationMs: number,
  messageCount: number,
): Record<string, unknown> {
  return {
    parentUuid: ids.parentUuid,
    isSidechain: false,
    type: 'system',
    subtype: 'turn_duration',
    durationMs,
    messageCount,
    timestamp: iso(ids.at),
    uuid: ids.uuid,
    isMeta: false,
    ...tail(s),
  };
}

function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts = (content as unknown[])
    .map((b) => (typeof b === 'object' && b !== null ? (b as Record<string, unknown>).text : undefined))
    .filter((t): t is string => typeof t === 'string');
  return texts.length > 0 ? texts.join('\n') : null;
}

/**
 * The history a `--continue` restart shows again, from the session's transcript lines: each
 * prompt echoed (a wrapped paste as its `[Pasted text …]` label), each answer or API error as
 * a `●` line, each finished turn as its `✻ … · done` line.
 */
export function historyFromTranscript(lines: readonly string[], clock: (ms: number) => string): string[][] {
  const blocks: string[][] = [];
  let pastes = 0;
  for (const line of lines) {
    let e: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) continue;
      e = parsed as Record<string, unknown>;
    } catch {
      continue;
    }
    const message = typeof e.message === 'object' && e.message !== null ? (e.message as Record<string, unknown>) : {};
    const text = textOf(message.content);
    if (e.type === 'user' && text !== null && e.isMeta !== true) {
      const shown = text.replace(
        /\n*<pasted_content id="[^"]*">\n([\s\S]*?)\n<\/pasted_content id="[^"]*">\n?/g,
        (_m, body: string) => {
          pastes += 1;
          return `[Pasted text #${pastes} +${(body.match(/\n/g) ?? []).length} lines]`;
        },
      );
      blocks.push(shown.split('\n').map((l, i) => (i === 0 ? `❯ ${l}` : `  ${l}`)));
    } else if (e.type === 'assistant' && text !== null) {
      blocks.push([`● ${text}`]);
    } else if (e.type === 'system' && e.subtype === 'turn_duration' && typeof e.durationMs === 'number') {
      const at = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : Number.NaN;
      const secs = Math.round(e.durationMs / 1000);
      blocks.push([`✻ Worked for ${secs}s · done ${Number.isNaN(at) ? '' : clock(at)}`.trimEnd()]);
    }
  }
  return blocks;
}
