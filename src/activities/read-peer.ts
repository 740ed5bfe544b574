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
 *   git -C <workdir> <safety> config --null --name-only --get-regexp ^filter\.
 *   git -C <workdir> <safety> <filters off> status --porcelain=v2 --branch --ignore-submodules=dirty
 *   git -C <workdir> <safety> <filters off> log -n <count> --no-show-signature --no-textconv --no-ext-diff --format=<format>
 * git never runs a command from the repository's config: <safety> is GIT_READ_SAFETY
 * (src/guards/git-read.ts: no fsmonitor, hooks, pager, external diff, fetch...), and every filter
 * driver the config defines is switched off by name (`-c filter.<name>.clean=` ...).
 */
import {
  LOG_DEFAULT_COUNT,
  LOG_MAX_COUNT,
  PEEK_DEFAULT_LINES,
  PEEK_MAX_LINES,
  boundedCount,
  type CommitsInput,
  type InboxInput,
  type InboxListing,
  type PeekInput,
  type PeekResult,
  type RecentCommits,
} from '../contracts/read-peer';
import { ErrorType } from '../contracts/errors';
import { isSafeName } from '../contracts/job';
import { GIT_FILTER_LIST, GIT_STATUS_ARGS, gitReadArgv, isFilterDriverName } from '../guards/git-read';
import { capturePane } from '../tmux/commands';
import { classifyScreen } from '../tmux/screen';
import { fail, peerContext, run, translate, tryRun, type PeerDeps } from './context';
import { homeRelative, inboxDirOf } from './inbox';
import {
  classifyInbox,
  gitProblem,
  headingText,
  lastLines,
  paneProblem,
  parseFindOutput,
  parseFilterDrivers,
  parseLog,
  parseStatusV2,
  why,
} from './read-peer-parse';
import { patternsFor } from './screen';

/** find's record: depth, type, size, mtime (s.fraction), path below the start; NUL-terminated. */
const FIND_FORMAT = '%d\\t%y\\t%s\\t%T@\\t%P\\0';
/** A Markdown heading (ERE, as grep -E reads it). */
const HEADING_ERE = '^ {0,3}#{1,6}[[:space:]]+[^[:space:]]';
/** Fields of a commit line, separated by the unit separator (never in a subject or name). */
const LOG_FORMAT = '--format=%h%x1f%ct%x1f%an%x1f%s';
const READ_TIMEOUT_MS = 20_000;

/** A peer path as a command argument run in the peer user's home: `~/x` → `x`, never taken for an option. */
export function commandPath(path: string): string {
  const p = homeRelative(path);
  return /^[-(!]/.test(p) ? `./${p}` : p;
}

function invalid(what: string, value: number | undefined, max: number) {
  return fail(ErrorType.InvalidInput, `${what}: expected a whole number from 1 to ${max}, got ${String(value)}`);
}

// ── activities ───────────────────────────────────────────────────────────────────────────

export function createReadPeerActivities(deps: PeerDeps) {
  return {
    peekPane: (input: PeekInput): Promise<PeekResult> => peekPane(deps, input),
    listInbox: (input: InboxInput): Promise<InboxListing> => listInbox(deps, input),
    recentCommits: (input: CommitsInput): Promise<RecentCommits> => recentCommits(deps, input),
  };
}

async function peekPane(deps: PeerDeps, input: PeekInput): Promise<PeekResult> {
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

async function listInbox(deps: PeerDeps, input: InboxInput): Promise<InboxListing> {
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

async function recentCommits(deps: PeerDeps, input: CommitsInput): Promise<RecentCommits> {
  const count = boundedCount(input.count, LOG_DEFAULT_COUNT, LOG_MAX_COUNT);
  if (count === undefined) throw invalid('count', input.count, LOG_MAX_COUNT);
  const ctx = await peerContext(deps, input.peer);
  const workdir = ctx.cfg.workdir;
  const wd = commandPath(workdir);
  // The filter drivers the config defines (none runs here: git config only reads), so that
  // status can switch each one off: a clean filter would run on every file whose stat changed.
  const filters = await tryRun(ctx, 'git config', gitReadArgv(wd, GIT_FILTER_LIST), { timeoutMs: READ_TIMEOUT_MS });
  const drivers = filters.code === 0 ? parseFilterDrivers(filters.stdout) : [];
  const odd = drivers.filter((d) => !isFilterDriverName(d));
  if (odd.length > 0) {
    return {
      peer: ctx.name,
      workdir,
      git: null,
      commits: [],
      problem: `${ctx.name}: git status not run: the git config of ${workdir} defines a filter driver peer-comms cannot switch off (${odd.map((d) => JSON.stringify(d)).join(', ')}), and git status would run it`,
    };
  }
  const status = await tryRun(ctx, 'git status', gitReadArgv(wd, GIT_STATUS_ARGS, drivers), {
    timeoutMs: READ_TIMEOUT_MS,
  });
  if (status.code !== 0) {
    return { peer: ctx.name, workdir, git: null, commits: [], problem: gitProblem(ctx.name, workdir, status) };
  }
  const git = parseStatusV2(status.stdout);
  if (git.unborn) return { peer: ctx.name, workdir, git, commits: [] };
  const log = await run(
    ctx,
    'git log',
    gitReadArgv(
      wd,
      ['log', '-n', String(count), '--no-show-signature', '--no-textconv', '--no-ext-diff', LOG_FORMAT],
      drivers,
    ),
    { timeoutMs: READ_TIMEOUT_MS },
  );
  return { peer: ctx.name, workdir, git, commits: parseLog(log.stdout) };
}
