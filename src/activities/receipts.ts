/**
 * The agent's own records on the peer: installing the receipt hook (settings file + hook script,
 * 0600, kept current each time peer-comms starts the agent) and reading what the agent recorded
 * since a cursor — the hook's event log and the newest session transcript — in one round trip.
 */
import { allowScript, commandProblem } from '../guards/commands';
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
 * Prints `== events <size>` (or `-`) and the event log's bytes after $evoff, then
 * `== transcript <size> <path>` (or `-`) and the newest transcript's bytes after $toff when it is
 * still the file $tfile (else from its start). sizes=1 prints the sizes only.
 */
const RECORDS_BODY = [
  'if [ -f "$ev" ]; then n=$(wc -c <"$ev"); [ "$n" -lt "$evoff" ] && evoff=0; printf "== events %s\\n" "$n"; if [ "$sizes" != 1 ] && [ "$n" -gt "$evoff" ]; then tail -c +"$((evoff + 1))" -- "$ev"; fi; else printf "== events -\\n"; fi',
  't=$(ls -t -- "$tdir"/*.jsonl 2>/dev/null | head -n 1)',
  'if [ -n "$t" ]; then n=$(wc -c <"$t"); printf "\\n== transcript %s %s\\n" "$n" "$t"; off=0; [ "$t" = "$tfile" ] && [ "$n" -ge "$toff" ] && off=$toff; if [ "$sizes" != 1 ] && [ "$n" -gt "$off" ]; then tail -c +"$((off + 1))" -- "$t"; fi; else printf "\\n== transcript -\\n"; fi',
];

const RECORD_ARGS_PROBLEM = 'takes <events file> <offset> <transcript dir> <transcript file> <offset>';

/** $1-$5 of both record scripts: the event log and its offset, the transcript folder, file and offset. */
function recordArgsOk(args: readonly string[]): boolean {
  return (
    [args[0], args[2], args[3]].every((a) => a === '' || a?.startsWith('/')) &&
    /^[0-9]+$/.test(args[1] ?? '') &&
    /^[0-9]+$/.test(args[4] ?? '')
  );
}

/** `tmux [-L name | -S path] capture-pane -e -p -t <target>` as screen.ts builds it, and nothing else. */
function isCapture(argv: readonly string[]): boolean {
  const base = argv.length === 6 || (argv.length === 8 && (argv[1] === '-L' || argv[1] === '-S'));
  const tail = ['capture-pane', '-e', '-p', '-t'];
  return base && argv[0] === 'tmux' && tail.every((a, i) => argv[argv.length - 5 + i] === a);
}

/** The records since a cursor (or, with $6 = 1, their sizes only): $1-$5 as recordArgsOk says. */
const READ_RECORDS = allowScript({
  name: 'read-records',
  script: ['ev=$1; evoff=$2; tdir=$3; tfile=$4; toff=$5; sizes=$6', ...RECORDS_BODY].join('\n'),
  checkArgs: (args) =>
    args.length === 6 && recordArgsOk(args) && /^[01]$/.test(args[5] ?? '')
      ? undefined
      : `read-records ${RECORD_ARGS_PROBLEM} <0|1>`,
});

/**
 * One awaitAck poll in one round trip (activities/ack-poll.ts): first, when $6 (seconds) is not
 * 0 and the event log exists, wait until the log has a byte after $2 or $6 passes (one `tail -f`
 * under coreutils `timeout`, woken by the file's growth, not a loop; without `timeout` there is
 * no wait and the caller sleeps instead); then the screen (the capture-pane argv after $7, its
 * stdout, then `\n<$7> screen <status>` on stdout and `\n<$7>` on stderr); then the records since
 * the cursor as read-records prints them.
 */
const ACK_POLL = allowScript({
  name: 'ack-poll',
  script: [
    'ev=$1; evoff=$2; tdir=$3; tfile=$4; toff=$5; wait=$6; m=$7; sizes=0; shift 7',
    'if [ "$wait" != 0 ] && [ -f "$ev" ] && command -v timeout >/dev/null 2>&1; then timeout "$wait" tail -c +"$((evoff + 1))" -f -- "$ev" 2>/dev/null | head -c 1 >/dev/null; fi',
    '"$@"; cs=$?; printf "\\n%s screen %s\\n" "$m" "$cs"; printf "\\n%s\\n" "$m" >&2',
    ...RECORDS_BODY,
  ].join('\n'),
  checkArgs: (args, policy) => {
    const capture = args.slice(7);
    const ok =
      recordArgsOk(args) &&
      /^[0-9]{1,3}(\.[0-9]{1,3})?$/.test(args[5] ?? '') &&
      /^[A-Za-z0-9_]{16,64}$/.test(args[6] ?? '') &&
      isCapture(capture) &&
      commandProblem(capture, policy) === undefined;
    return ok ? undefined : `ack-poll ${RECORD_ARGS_PROBLEM} <wait seconds> <marker> tmux … capture-pane …`;
  },
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

export interface Section {
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
export async function readRecordsSince(ctx: PeerContext, cursor: RecordCursor): Promise<RecordsRead> {
  return recordsSince(await readRecordsRaw(ctx, cursor, false), cursor);
}

export interface RecordsRead {
  records: AgentRecord[];
  cursor: RecordCursor;
  sources: ReceiptSources;
}

/** The records in read-records' output (the sections after `cursor`), and the cursor after them. */
export function recordsSince(s: { events: Section; transcript: Section }, cursor: RecordCursor): RecordsRead {
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

/** The argv of one awaitAck poll (ACK_POLL): wait up to `waitS` seconds for the event log to grow, capture, read. */
export function ackPollCommand(
  p: Pick<AgentPaths, 'events' | 'transcriptDir'>,
  cursor: RecordCursor,
  waitS: string,
  marker: string,
  capture: readonly string[],
): string[] {
  const read = readRecordsCommand(p, cursor, false).slice(4, 9);
  return ['sh', '-c', ACK_POLL, 'ack-poll', ...read, waitS, marker, ...capture];
}

/** ACK_POLL's output: the capture (stdout, status, stderr) and the records since the cursor. */
export function parseAckPoll(
  out: { stdout: string; stderr: string },
  marker: string,
): {
  capture: { code: number; stdout: string; stderr: string };
  records: { events: Section; transcript: Section };
} | null {
  const head = new RegExp(`\\n${marker} screen (\\d+)\\n`).exec(out.stdout);
  const errAt = out.stderr.indexOf(`\n${marker}\n`);
  if (!head || errAt < 0) return null;
  return {
    capture: { code: Number(head[1]), stdout: out.stdout.slice(0, head.index), stderr: out.stderr.slice(0, errAt) },
    records: parseSections(out.stdout.slice(head.index + head[0].length)),
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
