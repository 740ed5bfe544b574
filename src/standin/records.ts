/**
 * The session transcript lines the agent leaves about its turns, shaped as Claude Code 2.1.328
 * writes them (test/contract/FINDINGS.md §1 and §3, field order as observed), in
 * `~/.claude/projects/<cwd, non-alphanumerics as ->/<session>.jsonl`: a `user` entry per prompt
 * (`promptId` = the hook's `prompt_id`), an `assistant` entry per answer or API error
 * (`isApiErrorMessage: true`, `error`), a `system` `turn_duration` entry per turn that ended
 * well (none for a failed one), `queue-operation` entries for a prompt queued while a turn runs,
 * an `attachment` entry for a UserPromptSubmit hook's stdout. The hook inputs are in
 * hook-inputs.ts; reading a transcript back for `--continue` is in transcript-history.ts.
 * Pure: ids and times come in; recorder.ts runs the hooks and appends the lines.
 */
import { join } from 'node:path';
import type { ApiFailure } from './model-types';

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
