/**
 * The JSON a command hook reads on stdin, as Claude Code 2.1.328 writes it for SessionStart,
 * UserPromptSubmit, Stop and StopFailure (test/contract/FINDINGS.md §1 and §3, field order as
 * observed; no `error_details`: never seen). Pure: recorder.ts runs the hooks.
 */
import type { ApiFailure } from './model-types';
import { AGENT_MODEL, type SessionInfo } from './records';

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
