/**
 * The agent's own records on the peer: installing the receipt hook (settings file + hook script,
 * 0600, kept current each time peer-comms starts the agent) and reading what the agent recorded
 * since a cursor — the hook's event log and the newest session transcript — in one round trip.
 */
import { allowScript } from '../guards/commands';
import { agentFiles, agentSettings, hookScriptSource } from '../receipts/hook';
import {
  judgeTurn,
  parseEventLine,
  parseTranscriptLine,
  transcriptDir,
  type AgentRecord,
  type RecordSource,
} from '../receipts/records';
import { absolutePeerPath, peerContext, run, type PeerDeps, type PeerContext } from './context';
import type { ReceiptSources, RecordCursor, TurnReading, TurnRef } from '../contracts/records';

export type { ReceiptSources, RecordCursor, TurnReading, TurnRef };

const WHICH_NODE = allowScript({ name: 'which-node', script: 'command -v node || true' });

/**
 * Prints `== events <size>` (or `-`) and the event log's bytes after $2, then
 * `== transcript <size> <path>` (or `-`) and the newest transcript's bytes after $5 when it is
 * still the file $4 (else from its start). $6 = 1 prints the sizes only.
 */
const READ_RECORDS = allowScript({
  name: 'read-records',
  script: [
    'ev=$1; evoff=$2; tdir=$3; tfile=$4; toff=$5; sizes=$6',
    'if [ -f "$ev" ]; then n=$(wc -c <"$ev"); [ "$n" -lt "$evoff" ] && evoff=0; printf "== events %s\\n" "$n"; if [ "$sizes" != 1 ] && [ "$n" -gt "$evoff" ]; then tail -c +"$((evoff + 1))" -- "$ev"; fi; else printf "== events -\\n"; fi',
    't=$(ls -t -- "$tdir"/*.jsonl 2>/dev/null | head -n 1)',
    'if [ -n "$t" ]; then n=$(wc -c <"$t"); printf "\\n== transcript %s %s\\n" "$n" "$t"; off=0; [ "$t" = "$tfile" ] && [ "$n" -ge "$toff" ] && off=$toff; if [ "$sizes" != 1 ] && [ "$n" -gt "$off" ]; then tail -c +"$((off + 1))" -- "$t"; fi; else printf "\\n== transcript -\\n"; fi',
  ].join('\n'),
  checkArgs: (args) =>
    args.length === 6 &&
    [args[0], args[2], args[3]].every((a) => a === '' || a?.startsWith('/')) &&
    /^[0-9]+$/.test(args[1] ?? '') &&
    /^[0-9]+$/.test(args[4] ?? '') &&
    /^[01]$/.test(args[5] ?? '')
      ? undefined
      : 'read-records takes <events file> <offset> <transcript dir> <transcript file> <offset> <0|1>',
});

export interface AgentPaths {
  settings: string;
  events: string;
  hook: string;
  dir: string;
  transcriptDir: string;
}

function socketLabel(ctx: PeerContext): string {
  return ctx.cfg.tmux.socketPath ? ctx.cfg.tmux.socketPath : (ctx.cfg.tmux.socket ?? 'default');
}

export async function agentPaths(ctx: PeerContext): Promise<AgentPaths> {
  const files = agentFiles(await absolutePeerPath(ctx, ctx.cfg.agentStateDir), socketLabel(ctx), ctx.session);
  const cwd = await absolutePeerPath(ctx, ctx.cfg.workdir);
  return { ...files, transcriptDir: transcriptDir(await absolutePeerPath(ctx, ctx.cfg.claudeDir), cwd) };
}

/**
 * Writes the hook script and this session's settings file (0600) on the peer. Returns the
 * settings path, or null with the reason when hooks cannot run there (no `node` on the peer:
 * receipts then come from the transcript).
 */
export async function installReceiptHook(
  ctx: PeerContext,
): Promise<{ settings: string; events: string } | { settings: null; reason: string }> {
  const node = (await run(ctx, 'find node', ['sh', '-c', WHICH_NODE])).stdout.trim().split('\n')[0] ?? '';
  if (!node.startsWith('/')) {
    return { settings: null, reason: 'no `node` on the peer: receipts come from the session transcript' };
  }
  const p = await agentPaths(ctx);
  await ctx.shell.mkdirp(p.dir, 0o700);
  await ctx.shell.writeFile(p.hook, hookScriptSource(), { mode: 0o600, atomic: true });
  await ctx.shell.writeFile(p.settings, agentSettings({ node, hook: p.hook, events: p.events }), {
    mode: 0o600,
    atomic: true,
  });
  return { settings: p.settings, events: p.events };
}

interface Section {
  size: number | null;
  path?: string;
  body: string;
}

function parseSections(out: string): { events: Section; transcript: Section } {
  const cut = out.indexOf('\n== transcript ');
  const evPart = cut >= 0 ? out.slice(0, cut) : out;
  const trPart = cut >= 0 ? out.slice(cut + 1) : '== transcript -\n';
  const section = (part: string): Section => {
    const nl = part.indexOf('\n');
    const head = (nl >= 0 ? part.slice(0, nl) : part).split(' ');
    const body = nl >= 0 ? part.slice(nl + 1) : '';
    const size = head[2] === '-' || head[2] === undefined ? null : Number(head[2]);
    return { size: Number.isFinite(size) ? size : null, path: head.slice(3).join(' ') || undefined, body };
  };
  return { events: section(evPart), transcript: section(trPart) };
}

/** Complete lines of a section body, and how many bytes they cover (a partial last line waits for the next read). */
function completeLines(body: string): { lines: string[]; bytes: number } {
  const end = body.lastIndexOf('\n');
  if (end < 0) return { lines: [], bytes: 0 };
  const whole = body.slice(0, end + 1);
  return { lines: whole.split('\n').filter((l) => l !== ''), bytes: Buffer.byteLength(whole, 'utf8') };
}

/** The one round trip that reads the agent's records since a cursor (or only their sizes). */
export function readRecordsCommand(
  p: Pick<AgentPaths, 'events' | 'transcriptDir'>,
  cursor: RecordCursor | null,
  sizesOnly: boolean,
): string[] {
  return [
    'sh',
    '-c',
    READ_RECORDS,
    'read-records',
    p.events,
    String(cursor?.events ?? 0),
    p.transcriptDir,
    cursor?.transcript?.path ?? '',
    String(cursor?.transcript?.size ?? 0),
    sizesOnly ? '1' : '0',
  ];
}

async function readRecordsRaw(ctx: PeerContext, cursor: RecordCursor | null, sizesOnly: boolean) {
  const p = await agentPaths(ctx);
  const res = await run(ctx, 'read the agent records', readRecordsCommand(p, cursor, sizesOnly));
  return parseSections(res.stdout);
}

/** Where the agent's records stand now (taken before a send) and which sources exist. */
export async function recordCursor(ctx: PeerContext): Promise<{ cursor: RecordCursor; sources: ReceiptSources }> {
  const s = await readRecordsRaw(ctx, null, true);
  const transcript =
    s.transcript.size !== null && s.transcript.path ? { path: s.transcript.path, size: s.transcript.size } : null;
  return {
    cursor: { events: s.events.size ?? 0, transcript },
    sources: { hook: s.events.size !== null, transcript: transcript !== null },
  };
}

/** The records written since the cursor, and the cursor after them. */
export async function readRecordsSince(
  ctx: PeerContext,
  cursor: RecordCursor,
): Promise<{ records: AgentRecord[]; cursor: RecordCursor; sources: ReceiptSources }> {
  const s = await readRecordsRaw(ctx, cursor, false);
  const records: AgentRecord[] = [];
  const next: RecordCursor = { events: cursor.events, transcript: cursor.transcript };
  if (s.events.size !== null) {
    // a log shorter than the cursor was replaced: it was read from its start
    const start = s.events.size < cursor.events ? 0 : cursor.events;
    const { lines, bytes } = completeLines(s.events.body);
    for (const l of lines) {
      const r = parseEventLine(l);
      if (r) records.push(r);
    }
    next.events = start + bytes;
  }
  if (s.transcript.size !== null && s.transcript.path) {
    const was = cursor.transcript;
    const start = was && was.path === s.transcript.path && s.transcript.size >= was.size ? was.size : 0;
    const { lines, bytes } = completeLines(s.transcript.body);
    for (const l of lines) {
      const r = parseTranscriptLine(l);
      if (r) records.push(r);
    }
    next.transcript = { path: s.transcript.path, size: start + bytes };
  }
  return {
    records,
    cursor: next,
    sources: { hook: s.events.size !== null, transcript: s.transcript.size !== null },
  };
}

export type { RecordSource };

export function createReceiptActivities(deps: PeerDeps) {
  /**
   * The turn of a sent text, from the agent's records since the text's cursor (a peer job shows it
   * while it watches). Reads from the cursor each time: a turn's records are a few lines.
   */
  async function readTurn(input: { peer: string; ref: TurnRef }): Promise<TurnReading> {
    const ctx = await peerContext(deps, input.peer);
    const r = await readRecordsSince(ctx, input.ref.cursor);
    const v = judgeTurn(r.records, input.ref.receiptSha256);
    const source = v.receipt?.source ?? null;
    if (v.error) return { turn: `failed: ${v.error.error}`, source, words: v.error.details, cursor: r.cursor };
    if (v.receipt) return { turn: v.ended ? 'done' : 'working', source, cursor: r.cursor };
    return { turn: 'unknown', source: null, cursor: r.cursor };
  }

  /** Installs (or refreshes) the receipt hook for a peer's agent; `peer-comms agent-settings --install`. */
  async function installAgentSettings(input: { peer: string }) {
    const ctx = await peerContext(deps, input.peer);
    const r = await installReceiptHook(ctx);
    const p = await agentPaths(ctx);
    return { ...r, transcriptDir: p.transcriptDir };
  }
  return { installAgentSettings, readTurn };
}
