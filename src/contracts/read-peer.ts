/**
 * Reading a peer's state without changing anything (`peer-comms peek | inbox | log`): the
 * inputs and results of the read activities and of the readPeer workflow. Plain JSON.
 */

/** `peek -n` default and bounds. */
export const PEEK_DEFAULT_LINES = 50;
export const PEEK_MAX_LINES = 2000;
/** `log -n` default and bounds. */
export const LOG_DEFAULT_COUNT = 10;
export const LOG_MAX_COUNT = 500;
/** At most this many resolved/ entries are listed (the newest); the total is given beside them. */
export const INBOX_RESOLVED_SHOWN = 20;
/** At most this many entries of one kind are listed (the newest). */
export const INBOX_LIST_MAX = 200;

export interface PeekInput {
  peer: string;
  /** How many lines from the end of the pane (trailing blank lines dropped first). */
  lines?: number;
}

export interface PeekResult {
  peer: string;
  /** session:window.pane */
  target: string;
  /** The last lines of the pane (no trailing blank lines); empty when the pane could not be read. */
  lines: string[];
  /** Lines above the visible screen were read too (more lines asked for than the screen holds). */
  scrollback: boolean;
  /** The classified screen: idle, working, text-in-input, dialog:<kind>, error:<kind>, unknown. */
  state: string;
  /** The line(s) that decided the state. */
  evidence: string;
  /** Text sitting in the input box ('' when empty, null when there is no box). */
  input: string | null;
  /** A message is queued behind the agent's work. */
  queued: boolean;
  /** Why the pane could not be read (the session is gone, tmux is missing); the lines are then empty. */
  problem?: string;
  /** Epoch ms on the machine that read the pane. */
  readAt: number;
}

export interface InboxInput {
  peer: string;
}

export interface InboxEntry {
  /** The file name as found (for display: control characters shown escaped). */
  name: string;
  bytes: number;
  /** Modification time, epoch ms. */
  mtimeMs: number;
}

export interface PhoneHomeEntry extends InboxEntry {
  /** `PHONE-HOME-<topic>.md` → topic; undefined when the name is not a safe file name. */
  topic?: string;
  /** The first Markdown heading in the file, if any (at most 200 characters). */
  heading?: string;
}

export interface DoneEntry extends InboxEntry {
  /** `DONE-<job id>.md` → the job id. */
  jobId: string;
}

export interface InboxListing {
  peer: string;
  /** `<workdir>/<inbox>/<inboxHost>` as configured (`~/…` or absolute). */
  inboxDir: string;
  /** False when the folder does not exist (not an error: the peer has not phoned home yet). */
  exists: boolean;
  /** Oldest first. */
  phoneHomes: PhoneHomeEntry[];
  /** DONE markers, oldest first. */
  done: DoneEntry[];
  /** Other files and folders in the inbox (notes such as RESUME-*.md), oldest first. */
  other: (InboxEntry & { kind: 'file' | 'dir' | 'other' })[];
  /** The newest resolved/ files (at most INBOX_RESOLVED_SHOWN), oldest of them first. */
  resolved: InboxEntry[];
  /** How many files resolved/ holds. */
  resolvedTotal: number;
  /** Kinds with more entries than INBOX_LIST_MAX: only the newest are listed. */
  truncated: boolean;
}

export interface CommitsInput {
  peer: string;
  /** How many commits (newest first). */
  count?: number;
}

export interface CommitLine {
  /** Abbreviated hash. */
  hash: string;
  /** Committer time, epoch ms. */
  timeMs: number;
  author: string;
  subject: string;
}

export interface GitState {
  /** The current branch; null when HEAD is detached. */
  branch: string | null;
  /** The upstream branch, e.g. origin/main; null when none is set. */
  upstream: string | null;
  ahead: number;
  behind: number;
  /** The branch has no commits yet. */
  unborn: boolean;
  /** `git status --short` lines (staged, changed, untracked); at most STATUS_MAX_LINES. */
  status: string[];
  /** How many status lines there were in all. */
  statusTotal: number;
  /** Counts by kind, from the status lines. */
  changes: { staged: number; modified: number; untracked: number; conflicted: number };
}

export const STATUS_MAX_LINES = 50;

export interface RecentCommits {
  peer: string;
  /** The configured workdir (`~/…` or absolute). */
  workdir: string;
  /** The working tree's git state; null when the workdir is not a git repository (see problem). */
  git: GitState | null;
  /** Newest first. */
  commits: CommitLine[];
  /** Why there is no git state (not a repository, no such folder, git missing). */
  problem?: string;
}

export type ReadWhat = 'peek' | 'inbox' | 'log';
export const READ_WHATS: readonly ReadWhat[] = ['peek', 'inbox', 'log'];

export interface ReadPeerInput {
  peer: string;
  what: ReadWhat;
  /** peek: lines from the end of the pane. */
  lines?: number;
  /** log: how many commits. */
  count?: number;
}

interface ReadPeerCommon {
  /** Where the activity ran: the controller's queue (undefined) or the peer worker's queue. */
  taskQueue?: string;
}

export type ReadPeerResult =
  | (ReadPeerCommon & { what: 'peek'; peek: PeekResult })
  | (ReadPeerCommon & { what: 'inbox'; inbox: InboxListing })
  | (ReadPeerCommon & { what: 'log'; log: RecentCommits });

/** A bounded integer option, or the default; undefined for a value out of bounds. */
export function boundedCount(value: number | undefined, fallback: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  return Number.isInteger(value) && value >= 1 && value <= max ? value : undefined;
}
