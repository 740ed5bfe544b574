/**
 * The agent's own records, parsed: the receipt hook's event log and Claude Code's session
 * transcript, both JSON lines, turned into one list of records; and the verdict on one sent
 * text: was it received (a prompt whose canonical sha256 matches), and how did its turn go.
 * Pure code: the activities (activities/receipts.ts) read the files on the peer.
 */
import { createHash } from 'node:crypto';
import { canonicalPrompt } from './rewrites';

export type RecordSource = 'hook' | 'transcript';

export type AgentRecord =
  | { kind: 'session-start'; source: RecordSource; at: string; session?: string; promptId?: undefined }
  | {
      kind: 'prompt';
      source: RecordSource;
      at: string;
      session?: string;
      promptId?: string;
      /** sha256 of the canonical form (rewrites.ts). */
      sha256: string;
      /** UTF-8 bytes of the canonical form. */
      length: number;
    }
  | { kind: 'turn-end'; source: RecordSource; at: string; session?: string; promptId?: string }
  | {
      kind: 'turn-error';
      source: RecordSource;
      at: string;
      session?: string;
      promptId?: string;
      error: string;
      details?: string;
    };

export function canonicalSha256(text: string): { sha256: string; length: number } {
  const c = canonicalPrompt(text);
  return { sha256: createHash('sha256').update(c, 'utf8').digest('hex'), length: Buffer.byteLength(c, 'utf8') };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function objectLine(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(line);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** One line of the receipt hook's event log (hook.ts). */
export function parseEventLine(line: string): AgentRecord | null {
  const e = objectLine(line);
  if (!e) return null;
  const at = str(e.at) ?? '';
  const session = str(e.session);
  switch (e.event) {
    case 'SessionStart':
      return { kind: 'session-start', source: 'hook', at, session };
    case 'UserPromptSubmit': {
      const sha256 = str(e.sha256);
      if (!sha256) return null;
      return {
        kind: 'prompt',
        source: 'hook',
        at,
        session,
        promptId: str(e.promptId),
        sha256,
        length: typeof e.length === 'number' ? e.length : -1,
      };
    }
    case 'Stop':
      return { kind: 'turn-end', source: 'hook', at, session, promptId: str(e.promptId) };
    case 'StopFailure':
      return {
        kind: 'turn-error',
        source: 'hook',
        at,
        session,
        promptId: str(e.promptId),
        error: str(e.error) ?? 'unknown',
        details: str(e.errorDetails),
      };
    default:
      return null;
  }
}

/** The submitted text of a transcript `user` entry (a string, or its text blocks), if it is one. */
function userText(e: Record<string, unknown>): string | undefined {
  if (e.isMeta === true) return undefined;
  const message = e.message;
  if (!message || typeof message !== 'object') return undefined;
  const content = (message as Record<string, unknown>).content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const block of content as unknown[]) {
    if (!block || typeof block !== 'object') continue;
    const b = block as Record<string, unknown>;
    if (b.type === 'tool_result') return undefined;
    if (b.type === 'text' && typeof b.text === 'string') texts.push(b.text);
  }
  return texts.length > 0 ? texts.join('\n') : undefined;
}

/** The text of an API error entry's message (`API Error: Request rejected (429) · …`). */
function apiErrorWords(e: Record<string, unknown>): string | undefined {
  const m = e.message;
  if (!m || typeof m !== 'object') return undefined;
  const content = (m as Record<string, unknown>).content;
  if (!Array.isArray(content)) return undefined;
  for (const b of content as unknown[]) {
    if (b && typeof b === 'object' && typeof (b as Record<string, unknown>).text === 'string') {
      return ((b as Record<string, unknown>).text as string).slice(0, 500);
    }
  }
  return undefined;
}

/** One line of Claude Code's session transcript. */
export function parseTranscriptLine(line: string): AgentRecord | null {
  const e = objectLine(line);
  if (!e) return null;
  const at = str(e.timestamp) ?? '';
  const session = str(e.sessionId);
  if (e.type === 'user') {
    const text = userText(e);
    if (text === undefined) return null;
    return { kind: 'prompt', source: 'transcript', at, session, promptId: str(e.promptId), ...canonicalSha256(text) };
  }
  if (e.type === 'assistant' && (e.isApiErrorMessage === true || typeof e.error === 'string')) {
    return {
      kind: 'turn-error',
      source: 'transcript',
      at,
      session,
      error: str(e.error) ?? 'unknown',
      details:
        e.apiError === 'usage_limit_reached' ? `usage limit reached: ${apiErrorWords(e) ?? ''}` : apiErrorWords(e),
    };
  }
  if (e.type === 'system' && e.subtype === 'turn_duration')
    return { kind: 'turn-end', source: 'transcript', at, session };
  return null;
}

/** What the agent's records say about one sent text. */
export interface TurnVerdict {
  /** The prompt record whose sha256 matches the sent text. */
  receipt?: Extract<AgentRecord, { kind: 'prompt' }>;
  /** After the receipt: the turn ended (Stop / turn_duration). */
  ended: boolean;
  /** After the receipt: the turn ended in an API error (StopFailure / an API error entry). */
  error?: { error: string; details?: string; source: RecordSource };
  /** Prompts received since the cursor whose sha256 does not match (someone else's, or a rewrite we do not know). */
  otherPrompts: number;
}

/**
 * The verdict from the records since the cursor. Each source is read on its own (their orders
 * are their own); the hook wins when both hold a receipt.
 */
export function judgeTurn(records: readonly AgentRecord[], sha256: string): TurnVerdict {
  let best: TurnVerdict | undefined;
  let otherPrompts = 0;
  for (const source of ['hook', 'transcript'] as const) {
    const mine = records.filter((r) => r.source === source);
    const at = mine.findIndex((r) => r.kind === 'prompt' && r.sha256 === sha256);
    otherPrompts = Math.max(otherPrompts, mine.filter((r) => r.kind === 'prompt' && r.sha256 !== sha256).length);
    if (at < 0) continue;
    const receipt = mine[at] as Extract<AgentRecord, { kind: 'prompt' }>;
    const verdict: TurnVerdict = { receipt, ended: false, otherPrompts: 0 };
    for (const r of mine.slice(at + 1)) {
      if (receipt.session && r.session && r.session !== receipt.session) continue;
      // a turn record of another prompt (a side request, a queued prompt) is not this turn's
      if (r.kind !== 'prompt' && receipt.promptId && r.promptId && r.promptId !== receipt.promptId) continue;
      if (r.kind === 'prompt') break; // the next turn began
      if (r.kind === 'turn-error') {
        verdict.error = { error: r.error, details: r.details, source };
        verdict.ended = true;
        break;
      }
      if (r.kind === 'turn-end') {
        verdict.ended = true;
        break;
      }
    }
    best ??= verdict;
  }
  return { ...(best ?? { ended: false }), otherPrompts };
}

/** The transcript folder of an agent working in `cwd` (every character but letters and digits becomes `-`). */
export function transcriptDir(claudeDir: string, cwd: string): string {
  return `${claudeDir.replace(/\/+$/, '')}/projects/${cwd.replace(/[^A-Za-z0-9]/g, '-')}`;
}
