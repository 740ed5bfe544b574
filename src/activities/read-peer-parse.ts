/**
 * The pure parts of reading peer state: parsing what find, grep and git print, sorting the
 * inbox into its kinds, and the readable reasons when a pane or a working tree cannot be read.
 */
import {
  INBOX_LIST_MAX,
  INBOX_RESOLVED_SHOWN,
  STATUS_MAX_LINES,
  type CommitLine,
  type DoneEntry,
  type GitState,
  type InboxEntry,
  type InboxListing,
  type PhoneHomeEntry,
} from '../contracts/read-peer';
import { RESOLVED_FOLDER, topicFromFileName } from '../contracts/phone-home';
import type { ExecResult } from '../peer-access/shell';
import { screenLines } from '../tmux/screen';
import type { PeerContext } from './context';

const HEADING_MAX_CHARS = 200;

/** The last few lines of a command's complaint, on one line. */
export function why(res: ExecResult): string {
  return (
    (res.stderr || res.stdout).trim().split('\n').slice(-3).join(' | ') ||
    (res.code === null ? 'ended without an exit status' : `exit status ${res.code}`)
  );
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

/**
 * The filter driver names in `git config --null --name-only --get-regexp ^filter\.` output
 * (`filter.<name>.<key>` entries, NUL-terminated; a name may hold dots), each once.
 */
export function parseFilterDrivers(stdout: string): string[] {
  const names = new Set<string>();
  for (const key of stdout.split('\0')) {
    const k = key.replace(/^\n+/, '');
    const last = k.lastIndexOf('.');
    if (!k.toLowerCase().startsWith('filter.') || last <= 'filter.'.length) continue;
    names.add(k.slice('filter.'.length, last));
  }
  return [...names];
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
