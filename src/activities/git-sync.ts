/**
 * gitSync: after a job ends, bring the controller's repository up to date with what the peer
 * pushed: `git fetch <remote>`, then `git merge --ff-only <remote>/<branch>`. A merge that is not
 * a fast-forward is never attempted (the repository stays untouched) and the result says why.
 * Runs on the controller, git through execFile (no shell), so it works on Windows too.
 */
import { stat } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../contracts/errors';
import type { GitSyncInput, GitSyncResult } from '../contracts/job';
import { controllerPath, fail, type ControllerDeps, type GitRunner, type GitRunResult } from './context';

export { execGit } from './git-run';

function abortSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // called outside an activity (unit tests)
  }
}

function lastLines(s: string): string {
  return s.trim().split('\n').slice(-3).join(' | ');
}

/**
 * What git or ssh print when a login was needed and nobody could give it (with prompts off):
 * https (git, Git Credential Manager, servers' 401/403), ssh (OpenSSH, plink).
 */
const AUTH_FAILURES = [
  /could not read (Username|Password) for/i,
  /terminal prompts disabled/i,
  /Authentication failed for/i,
  /user interactivity has been disabled/i,
  /HTTP Basic: Access denied/i,
  /Invalid username or password/i,
  /The requested URL returned error: 40[13]\b/,
  /Permission denied \((publickey|password|keyboard-interactive|gssapi)/i,
  /Host key verification failed/i,
  /No supported authentication methods available/i,
];

/** The line of git's stderr that shows a login could not be given, if any. */
export function authFailureLine(stderr: string): string | undefined {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => AUTH_FAILURES.some((re) => re.test(l)));
}

/** A remote URL fit for a message: a password in it is replaced by ***. */
function shownUrl(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

/** The failure for a fetch that needed a login nobody could type: which remote, which repo, what to set up. */
function authFailure(remote: string, url: string, repo: string, line: string): ApplicationFailure {
  const https = /^https?:\/\//i.test(url);
  const fix = /Host key verification failed/i.test(line)
    ? `the remote's ssh host key is not in known_hosts: connect once by hand (ssh to that host as the user the worker runs as), check the fingerprint and accept it`
    : https
      ? `store the login in a credential helper that answers without a window (Git Credential Manager or credential.helper osxkeychain/libsecret/store with an access token; log in once by hand with: git -C "${repo}" fetch ${remote})`
      : `load the key into an SSH agent the worker can reach (ssh-add), or use a key without a passphrase (core.sshCommand "ssh -i KEY" in the repo); check by hand with: git -C "${repo}" fetch ${remote}`;
  return ApplicationFailure.create({
    type: ErrorType.GitSyncFailed,
    // Retrying cannot help: the login is missing until a person sets it up.
    nonRetryable: true,
    message: `git fetch ${remote} (${url}) in ${repo} needs a login that nobody can type here: ${line}. Git sync never prompts (it runs unattended); ${fix}; then sync again`,
  });
}

export function createGitSync(deps: Pick<ControllerDeps, 'config' | 'runGit'>) {
  return async function gitSync(input: GitSyncInput): Promise<GitSyncResult> {
    const { repo: configured, gitRemote: remote, gitBranch: branch } = deps.config.controller;
    if (!configured) {
      return { ok: false, skipped: true, reason: 'controller.repo is not configured: git sync skipped' };
    }
    const repo = controllerPath(configured, 'controller.repo');
    const st = await stat(repo).catch(() => null);
    if (!st?.isDirectory()) {
      throw fail(ErrorType.InvalidConfig, `controller.repo ${repo} is not a folder (job ${input.jobId})`);
    }
    const g: Sync = { repo, remote, branch, git: gitIn(deps.runGit, repo, abortSignal()) };
    if ((await g.git(['rev-parse', '--show-toplevel'])).code !== 0) {
      throw fail(ErrorType.InvalidConfig, `controller.repo ${repo} is not a git repository`);
    }
    const head = await g.git(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    const checkedOut = head.code === 0 ? head.stdout.trim() : '';
    if (checkedOut !== branch) {
      return {
        ok: false,
        repo,
        remote,
        branch,
        reason: `${repo} has ${checkedOut ? `branch ${checkedOut}` : 'a detached HEAD'} checked out, not ${branch}; nothing merged`,
      };
    }
    await fetchRemote(g);
    return fastForward(g);
  };
}

type Git = (args: string[], timeoutMs?: number) => Promise<GitRunResult>;

/** One sync: the repository, the remote and branch it follows, and git run in it. */
interface Sync {
  repo: string;
  remote: string;
  branch: string;
  git: Git;
}

/** git in `repo`; a git that could not run at all is a typed failure. */
function gitIn(runGit: GitRunner, repo: string, signal: AbortSignal | undefined): Git {
  return async (args, timeoutMs = 60_000) => {
    try {
      return await runGit(args, { cwd: repo, signal, timeoutMs });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') throw fail(ErrorType.InvalidConfig, 'git is not installed on the controller (PATH)');
      throw fail(ErrorType.GitSyncFailed, `git ${args[0] ?? ''} in ${repo}: ${e.message}`);
    }
  };
}

/** `git fetch <remote>`; a login nobody can type here is a non-retryable failure saying how to set one up. */
async function fetchRemote({ repo, remote, git }: Sync): Promise<void> {
  const fetched = await git(['fetch', '--quiet', remote], 5 * 60_000);
  if (fetched.code === 0) return;
  const line = authFailureLine(fetched.stderr);
  if (line) {
    const url = await git(['remote', 'get-url', remote]);
    throw authFailure(remote, shownUrl(url.code === 0 ? url.stdout.trim() : remote), repo, line);
  }
  throw fail(ErrorType.GitSyncFailed, `git fetch ${remote} in ${repo} failed: ${lastLines(fetched.stderr)}`);
}

/** Merges `<remote>/<branch>` only as a fast-forward; anything else is reported, never merged. */
async function fastForward({ repo, remote, branch, git }: Sync): Promise<GitSyncResult> {
  const base = { repo, remote, branch };
  const out = async (args: string[]): Promise<string> => (await git(args)).stdout.trim();
  const ref = `refs/remotes/${remote}/${branch}`;
  if ((await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).code !== 0) {
    return { ok: false, ...base, reason: `${remote}/${branch} does not exist after the fetch; nothing merged` };
  }
  const before = await out(['rev-parse', 'HEAD']);
  const remoteHead = await out(['rev-parse', ref]);
  if ((await git(['merge-base', '--is-ancestor', 'HEAD', ref])).code !== 0) {
    const ahead = await out(['rev-list', '--count', `${ref}..HEAD`]);
    const behind = await out(['rev-list', '--count', `HEAD..${ref}`]);
    const unmoved = { ...base, before, after: before, fastForwarded: false };
    if (behind === '0') {
      return {
        ok: true,
        ...unmoved,
        reason: `local ${branch} is ${ahead} commit(s) ahead of ${remote}/${branch}; nothing to merge`,
      };
    }
    return {
      ok: false,
      ...unmoved,
      reason: `${branch} and ${remote}/${branch} have diverged (${ahead} local commit(s), ${behind} remote); not a fast-forward, nothing merged`,
    };
  }
  if (before === remoteHead) return { ok: true, ...base, before, after: before, fastForwarded: false };

  const merged = await git(['merge', '--ff-only', '--quiet', ref], 2 * 60_000);
  const after = await out(['rev-parse', 'HEAD']);
  if (merged.code !== 0) {
    return {
      ok: false,
      ...base,
      before,
      after,
      fastForwarded: false,
      reason: `git merge --ff-only ${remote}/${branch} refused: ${lastLines(merged.stderr || merged.stdout)}`,
    };
  }
  return { ok: true, ...base, before, after, fastForwarded: after !== before };
}
