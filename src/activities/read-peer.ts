/**
 * Reading a peer's state, changing nothing (the reference's "Reading peer state"):
 * - peekPane: the last lines of the agent's pane and the classified screen state;
 * - listInbox: phone-homes (size, time, first heading), DONE markers and resolved/ entries;
 * - recentCommits: the branch, `git status` summary and recent commits of the peer's workdir.
 *
 * Every command is an argv run without a shell; none of them writes (git status runs with
 * --no-optional-locks, so it does not even refresh the index). The argvs:
 *   tmux [-L s | -S p] capture-pane -p -t =<target> [-S -<n>]
 *   find -H <inbox dir> -maxdepth 2 -printf <format>
 *   grep -E -m 1 -H -e <heading pattern> -- <phone-home file>...
 *   git -C <workdir> --no-optional-locks status --porcelain=v2 --branch
 *   git -C <workdir> log -n <count> --no-show-signature --format=<format>
 */
import {
  INBOX_LIST_MAX,
  INBOX_RESOLVED_SHOWN,
  LOG_DEFAULT_COUNT,
  LOG_MAX_COUNT,
  PEEK_DEFAULT_LINES,
  PEEK_MAX_LINES,
  STATUS_MAX_LINES,
  boundedCount,
  type CommitLine,
  type CommitsInput,
  type DoneEntry,
  type GitState,
  type InboxEntry,
  type InboxInput,
  type InboxListing,
  type PeekInput,
  type PeekResult,
  type PhoneHomeEntry,
  type RecentCommits,
} from '../contracts/read-peer';
import { ErrorType } from '../contracts/errors';
import { isSafeName } from '../contracts/job';
import { RESOLVED_FOLDER, topicFromFileName } from '../contracts/phone-home';
import type { ExecResult } from '../peer-access/shell';
import { capturePane } from '../tmux/commands';
import { classifyScreen, screenLines } from '../tmux/screen';
import { fail, peerContext, run, translate, tryRun, type ActivityDeps, type PeerContext } from './context';
import { homeRelative, inboxDirOf } from './inbox';
import { patternsFor } from './screen';

/** find's record: depth, type, size, mtime (s.fraction), path below the start; NUL-terminated. */
const FIND_FORMAT = '%d\\t%y\\t%s\\t%T@\\t%P\\0';
/** A Markdown heading (ERE, as grep -E reads it). */
const HEADING_ERE = '^ {0,3}#{1,6}[[:space:]]+[^[:space:]]';
const HEADING_MAX_CHARS = 200;
/** Fields of a commit line, separated by the unit separator (never in a subject or name). */
const LOG_FORMAT = '--format=%h%x1f%ct%x1f%an%x1f%s';
const READ_TIMEOUT_MS = 20_000;

/** A peer path as a command argument run in the peer user's home: `~/x` → `x`, never taken for an option. */
export function commandPath(path: string): string {
  const p = homeRelative(path);
  return /^[-(!]/.test(p) ? `./${p}` : p;
}

/** The last few lines of a command's complaint, on one line. */
function why(res: ExecResult): string {
  return (
    (res.stderr || res.stdout).trim().split('\n').slice(-3).join(' | ') ||
    (res.code === null ? 'ended without an exit status' : `exit status ${res.code}`)
  );
}

function invalid(what: string, value: number | undefined, max: number) {
  return fail(ErrorType.InvalidInput, `${what}: expected a whole number from 1 to ${max}, got ${String(value)}`);
}

// ── peek ─────────────────────────────────────────────────────────────────────────────────

/** Why the pane cannot be read, for a person: the session is gone, or tmux is missing. */
export function paneProblem(ctx: Pick<PeerContext, 'name' | 'target' | 'session'>, res: ExecResult): string {
  if (res.code === 127) {
    return `${ctx.name}: tmux is not installed (or not on the PATH of a non-interactive login), so the pane cannot be read`;
  }
  return `${ctx.name}: cannot read the pane ${ctx.target}: ${why(res)}. Is the agent's tmux session "${ctx.session}" running? \`peer-comms preflight ${ctx.name}\` checks it; a send restarts it when the peer has recovery configured`;
}

/** The last `count` lines of a capture, trailing blank lines dropped (escape codes and trailing spaces removed). */
export function lastLines(capture: string, count: number): string[] {
  return screenLines(capture).slice(-count);
}

// ── inbox ────────────────────────────────────────────────────────────────────────────────

export interface FoundEntry extends InboxEntry {
  depth: number;
  type: string;
  /** Path below the inbox folder (`resolved/x.md` for depth 2). */
  path: string;
}

/** Parses `find -printf FIND_FORMAT` output (pure; exported for tests). */
export function parseFindOutput(stdout: string): FoundEntry[] {
  const out: FoundEntry[] = [];
  for (const rec of stdout.split('\0')) {
    if (rec === '') continue;
    const [depth, type, size, mtime, ...rest] = rec.split('\t');
    const path = rest.join('\t');
    const d = Number(depth);
    if (!Number.isInteger(d) || type === undefined) continue;
    out.push({
      depth: d,
      type,
      path,
      name: path.slice(path.lastIndexOf('/') + 1),
      bytes: Number(size) || 0,
      mtimeMs: Math.round(Number(mtime) * 1000) || 0,
    });
  }
  return out;
}

const byTime = (a: InboxEntry, b: InboxEntry) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name);

/** The newest `max` entries, oldest of them first. */
function newest<T extends InboxEntry>(entries: T[], max: number): T[] {
  return entries.sort(byTime).slice(-max);
}

const entry = (e: FoundEntry): InboxEntry => ({ name: e.name, bytes: e.bytes, mtimeMs: e.mtimeMs });

/** Sorts found entries into the listing's kinds (pure; exported for tests). */
export function classifyInbox(
  found: FoundEntry[],
): Pick<InboxListing, 'exists' | 'phoneHomes' | 'done' | 'other' | 'resolved' | 'resolvedTotal' | 'truncated'> {
  const top = found.find((e) => e.depth === 0);
  const phoneHomes: PhoneHomeEntry[] = [];
  const done: DoneEntry[] = [];
  const other: InboxListing['other'] = [];
  const resolved: InboxEntry[] = [];
  for (const e of found) {
    if (e.depth === 2 && e.path.startsWith(`${RESOLVED_FOLDER}/`)) {
      if (e.type === 'f') resolved.push(entry(e));
      continue;
    }
    if (e.depth !== 1) continue;
    if (e.type === 'd' && e.name === RESOLVED_FOLDER) continue;
    const doneMatch = /^DONE-(.+)\.md$/.exec(e.name);
    if (e.type === 'f' && e.name.startsWith('PHONE-HOME-') && e.name.endsWith('.md')) {
      const topic = topicFromFileName(e.name);
      phoneHomes.push({ ...entry(e), ...(topic ? { topic } : {}) });
    } else if (e.type === 'f' && doneMatch?.[1]) {
      done.push({ ...entry(e), jobId: doneMatch[1] });
    } else {
      other.push({ ...entry(e), kind: e.type === 'f' ? 'file' : e.type === 'd' ? 'dir' : 'other' });
    }
  }
  const truncated = [phoneHomes, done, other].some((l) => l.length > INBOX_LIST_MAX);
  return {
    exists: top?.type === 'd',
    phoneHomes: newest(phoneHomes, INBOX_LIST_MAX),
    done: newest(done, INBOX_LIST_MAX),
    other: newest(other, INBOX_LIST_MAX),
    resolved: newest(resolved, INBOX_RESOLVED_SHOWN),
    resolvedTotal: resolved.length,
    truncated,
  };
}

/** `# Title ##` → `Title`, cut to HEADING_MAX_CHARS. */
export function headingText(line: string): string {
  const t = line
    .replace(/^ {0,3}#{1,6}\s+/, '')
    .replace(/\s+#+\s*$/, '')
    .trim();
  return t.length > HEADING_MAX_CHARS ? `${t.slice(0, HEADING_MAX_CHARS - 1)}…` : t;
}

// ── log ──────────────────────────────────────────────────────────────────────────────────

/** Parses `git status --porcelain=v2 --branch` (pure; exported for tests). */
export function parseStatusV2(stdout: string): GitState {
  const state: GitState = {
    branch: null,
    upstream: null,
    ahead: 0,
    behind: 0,
    unborn: false,
    status: [],
    statusTotal: 0,
    changes: { staged: 0, modified: 0, untracked: 0, conflicted: 0 },
  };
  const add = (line: string) => {
    state.statusTotal++;
    if (state.status.length < STATUS_MAX_LINES) state.status.push(line);
  };
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# ')) {
      const [, key = '', ...vals] = line.split(' ');
      const value = vals.join(' ');
      if (key === 'branch.oid') state.unborn = value === '(initial)';
      else if (key === 'branch.head') state.branch = value === '(detached)' ? null : value;
      else if (key === 'branch.upstream') state.upstream = value;
      else if (key === 'branch.ab') {
        const m = /^\+(\d+) -(\d+)$/.exec(value);
        if (m) {
          state.ahead = Number(m[1]);
          state.behind = Number(m[2]);
        }
      }
      continue;
    }
    const kind = line[0];
    if (kind === '?') {
      state.changes.untracked++;
      add(`?? ${line.slice(2)}`);
      continue;
    }
    if (kind === '!') continue;
    // 1 XY sub mH mI mW hH hI path | 2 XY … X<score> path\torig | u XY sub m1 m2 m3 mW h1 h2 h3 path
    const fields = line.split(' ');
    const xy = fields[1] ?? '..';
    const skip = kind === '1' ? 8 : kind === '2' ? 9 : kind === 'u' ? 10 : -1;
    if (skip < 0) continue;
    const path = fields.slice(skip).join(' ').replace('\t', ' <- ');
    if (kind === 'u') state.changes.conflicted++;
    else {
      if (xy[0] !== '.') state.changes.staged++;
      if (xy[1] !== '.') state.changes.modified++;
    }
    add(`${xy.replace(/\./g, ' ')} ${path}`);
  }
  return state;
}

/** Parses the LOG_FORMAT lines (pure; exported for tests). */
export function parseLog(stdout: string): CommitLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.includes('\x1f'))
    .map((l) => {
      const [hash = '', time = '', author = '', ...subject] = l.split('\x1f');
      return { hash, timeMs: Number(time) * 1000 || 0, author, subject: subject.join('\x1f') };
    });
}

/** Why git could not describe the workdir, for a person. */
export function gitProblem(peer: string, workdir: string, res: ExecResult): string {
  const text = why(res);
  if (res.code === 127) return `${peer}: git is not installed (or not on the PATH of a non-interactive login)`;
  if (/not a git repository/i.test(text)) {
    return `${peer}: the workdir ${workdir} is not a git repository (git: ${text}). Set workdir in the peers file to the agent's checkout`;
  }
  if (/cannot change to/i.test(text)) {
    return `${peer}: the workdir ${workdir} does not exist on the peer (git: ${text}). Check workdir in the peers file`;
  }
  return `${peer}: git cannot read ${workdir}: ${text}`;
}

// ── activities ───────────────────────────────────────────────────────────────────────────

export function createReadPeerActivities(deps: ActivityDeps) {
  async function peekPane(input: PeekInput): Promise<PeekResult> {
    const count = boundedCount(input.lines, PEEK_DEFAULT_LINES, PEEK_MAX_LINES);
    if (count === undefined) throw invalid('lines', input.lines, PEEK_MAX_LINES);
    const ctx = await peerContext(deps, input.peer);
    const base = { peer: ctx.name, target: ctx.target, readAt: deps.now() };
    const cap = await tryRun(ctx, 'capture-pane', capturePane(ctx.sock, ctx.target), { timeoutMs: READ_TIMEOUT_MS });
    if (cap.code !== 0) {
      const gone = /can't find (session|window|pane)|no server running|error connecting/i.test(cap.stderr);
      return {
        ...base,
        lines: [],
        scrollback: false,
        state: gone ? 'no-session' : 'unreadable',
        evidence: '',
        input: null,
        queued: false,
        problem: paneProblem(ctx, cap),
      };
    }
    const c = classifyScreen(cap.stdout, patternsFor(ctx));
    let lines = lastLines(cap.stdout, count);
    let scrollback = false;
    if (lines.length < count) {
      // More lines asked for than the screen shows: read the scrollback above it too.
      const more = await tryRun(
        ctx,
        'capture-pane with scrollback',
        capturePane(ctx.sock, ctx.target, { history: count }),
        {
          timeoutMs: READ_TIMEOUT_MS,
        },
      );
      if (more.code === 0) {
        const longer = lastLines(more.stdout, count);
        scrollback = longer.length > lines.length;
        if (scrollback) lines = longer;
      }
    }
    return { ...base, lines, scrollback, state: c.state, evidence: c.evidence, input: c.input, queued: c.queued };
  }

  async function listInbox(input: InboxInput): Promise<InboxListing> {
    const ctx = await peerContext(deps, input.peer);
    const inboxDir = inboxDirOf(ctx.name, ctx.cfg);
    const dirArg = commandPath(inboxDir);
    const res = await tryRun(ctx, 'list the inbox', ['find', '-H', dirArg, '-maxdepth', '2', '-printf', FIND_FORMAT], {
      timeoutMs: READ_TIMEOUT_MS,
    });
    const found = parseFindOutput(res.stdout);
    if (res.code === 127) {
      throw fail(ErrorType.PeerCommandFailed, `${ctx.name}: find is not installed, so the inbox cannot be listed`);
    }
    if (res.code !== 0 && !found.some((e) => e.depth === 0)) {
      // Nothing listed: a folder that does not exist is an answer, anything else a failure.
      let missing: boolean;
      try {
        missing = (await ctx.shell.stat(inboxDir)) === null;
      } catch (err) {
        throw translate(ctx.name, 'look for the inbox folder', err);
      }
      if (!missing) {
        throw fail(ErrorType.PeerCommandFailed, `${ctx.name}: cannot list the inbox ${inboxDir}: ${why(res)}`);
      }
    }
    const listing: InboxListing = { peer: ctx.name, inboxDir, ...classifyInbox(found) };
    const titled = listing.phoneHomes.filter((p) => isSafeName(p.name));
    if (titled.length > 0) {
      const paths = titled.map((p) => `${dirArg}/${p.name}`);
      const grep = await tryRun(
        ctx,
        'read phone-home headings',
        ['grep', '-E', '-m', '1', '-H', '-e', HEADING_ERE, '--', ...paths],
        {
          timeoutMs: READ_TIMEOUT_MS,
        },
      );
      // 0: some matched, 1: none did, 2: a file vanished or was unreadable (the rest still count).
      for (const line of grep.stdout.split('\n')) {
        const i = paths.findIndex((p) => line.startsWith(`${p}:`));
        const ph = titled[i];
        if (ph && ph.heading === undefined) ph.heading = headingText(line.slice((paths[i] ?? '').length + 1));
      }
    }
    return listing;
  }

  async function recentCommits(input: CommitsInput): Promise<RecentCommits> {
    const count = boundedCount(input.count, LOG_DEFAULT_COUNT, LOG_MAX_COUNT);
    if (count === undefined) throw invalid('count', input.count, LOG_MAX_COUNT);
    const ctx = await peerContext(deps, input.peer);
    const workdir = ctx.cfg.workdir;
    const wd = commandPath(workdir);
    const status = await tryRun(
      ctx,
      'git status',
      ['git', '-C', wd, '--no-optional-locks', 'status', '--porcelain=v2', '--branch'],
      { timeoutMs: READ_TIMEOUT_MS },
    );
    if (status.code !== 0) {
      return { peer: ctx.name, workdir, git: null, commits: [], problem: gitProblem(ctx.name, workdir, status) };
    }
    const git = parseStatusV2(status.stdout);
    if (git.unborn) return { peer: ctx.name, workdir, git, commits: [] };
    const log = await run(
      ctx,
      'git log',
      ['git', '-C', wd, 'log', '-n', String(count), '--no-show-signature', LOG_FORMAT],
      {
        timeoutMs: READ_TIMEOUT_MS,
      },
    );
    return { peer: ctx.name, workdir, git, commits: parseLog(log.stdout) };
  }

  return { peekPane, listInbox, recentCommits };
}
