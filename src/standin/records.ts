/**
 * The agent's own records of its turns, shaped like Claude Code 2.1.328's (see
 * shared/fixtures/claude-code-2.1.328/README.md and test/contract/FINDINGS.md):
 *   - hook inputs (the JSON a command hook reads on stdin): SessionStart, UserPromptSubmit,
 *     Stop, StopFailure;
 *   - session transcript lines (`~/.claude/projects/<cwd, non-alphanumerics as ->/<session>.jsonl`):
 *     a `user` entry per prompt, an `assistant` entry per answer or API error
 *     (`isApiErrorMessage: true`, `error`), a `system` `turn_duration` entry per finished turn.
 * Pure: ids and times come in; agent.ts runs the hooks and appends the lines.
 */
import { join } from 'node:path';
import type { ApiFailure } from './model';

export const AGENT_VERSION = '2.1.328';

export interface SessionInfo {
  sessionId: string;
  transcriptPath: string;
  /** The agent's working folder (its real cwd, not the header label). */
  cwd: string;
}

/** The transcript folder of an agent working in `cwd`, as Claude Code names it. */
export function transcriptDirFor(home: string, cwd: string): string {
  return join(home, '.claude', 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'));
}

function hookInput(s: SessionInfo, event: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    session_id: s.sessionId,
    transcript_path: s.transcriptPath,
    cwd: s.cwd,
    permission_mode: 'default',
    hook_event_name: event,
    ...fields,
  };
}

export function sessionStartInput(s: SessionInfo, source: 'startup' | 'resume'): Record<string, unknown> {
  return hookInput(s, 'SessionStart', { source });
}

export function promptSubmitInput(s: SessionInfo, prompt: string, promptId: string): Record<string, unknown> {
  return hookInput(s, 'UserPromptSubmit', { prompt, prompt_id: promptId });
}

export function stopInput(s: SessionInfo, lastAssistantMessage: string): Record<string, unknown> {
  return hookInput(s, 'Stop', { stop_hook_active: false, last_assistant_message: lastAssistantMessage });
}

export function stopFailureInput(s: SessionInfo, error: ApiFailure, details: string): Record<string, unknown> {
  return hookInput(s, 'StopFailure', { error, error_details: details });
}

/** Ids and time of one transcript entry; parentUuid chains the entries of a session. */
export interface EntryIds {
  uuid: string;
  parentUuid: string | null;
  at: number;
}

function entry(s: SessionInfo, ids: EntryIds, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    parentUuid: ids.parentUuid,
    isSidechain: false,
    userType: 'external',
    cwd: s.cwd,
    sessionId: s.sessionId,
    version: AGENT_VERSION,
    ...fields,
    uuid: ids.uuid,
    timestamp: new Date(ids.at).toISOString(),
  };
}

export function userEntry(s: SessionInfo, ids: EntryIds, prompt: string, promptId: string): Record<string, unknown> {
  return entry(s, ids, { type: 'user', message: { role: 'user', content: prompt }, promptId });
}

function assistantMessage(id: string, text: string, model: string): Record<string, unknown> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
  };
}

export function answerEntry(s: SessionInfo, ids: EntryIds, text: string): Record<string, unknown> {
  return entry(s, ids, { type: 'assistant', message: assistantMessage(`msg_${ids.uuid}`, text, 'stand-in') });
}

export function apiErrorEntry(s: SessionInfo, ids: EntryIds, error: ApiFailure, text: string): Record<string, unknown> {
  return entry(s, ids, {
    type: 'assistant',
    message: assistantMessage(ids.uuid, text, '<synthetic>'),
    isApiErrorMessage: true,
    error,
  });
}

export function turnDurationEntry(s: SessionInfo, ids: EntryIds, durationMs: number): Record<string, unknown> {
  return entry(s, ids, { type: 'system', subtype: 'turn_duration', durationMs, isMeta: false });
}
