/**
 * gitSync: after a job ends, bring the controller's repository up to date with what the peer
 * pushed: `git fetch <remote>`, then `git merge --ff-only <remote>/<branch>`. A merge that is not
 * a fast-forward is never attempted (the repository stays untouched) and the result says why.
 * Runs on the controller, git through execFile (no shell), so it works on Windows too.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { expandHome } from '../config/paths';
import { ErrorType } from '../contracts/errors';
import type { GitSyncInput, GitSyncResult } from '../contracts/job';
import { fail, type ActivityDeps, type GitRunner, type GitRunResult } from './context';

/** The real git: `git <args>` in `cwd`, never prompting, with our own deadline. */
export const execGit: GitRunner = (args, opts) =>
  new Promise<GitRunResult>((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd: opts.cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
        timeout: opts.timeoutMs ?? 60_000,
        signal: opts.signal,
        maxBuffer: 16 * 1024 * 1024,
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(err instanceof Error ? err : new Error('git could not run')); // missing, deadline, aborted
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });

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

export function createGitSync(deps: ActivityDeps) {
  return async function gitSync(input: GitSyncInput): Promise<GitSyncResult> {
    const { repo: configured, gitRemote: remote, gitBranch: branch } = deps.config.controller;
    if (!configured) {
      return { ok: false, skipped: true, reason: 'controller.repo is not configured: git sync skipped' };
    }
    const repo = expandHome(configured);
    const base = { repo, remote, branch };
    const st = await stat(repo).catch(() => null);
    if (!st?.isDirectory()) {
      throw fail(ErrorType.InvalidConfig, `controller.repo ${repo} is not a folder (job ${input.jobId})`);
    }
    const runGit = deps.runGit ?? execGit;
    const signal = abortSignal();
    const git = async (args: string[], timeoutMs = 60_000): Promise<GitRunResult> => {
      try {
        return await runGit(args, { cwd: repo, signal, timeoutMs });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOENT') throw fail(ErrorType.InvalidConfig, 'git is not installed on the controller (PATH)');
        throw fail(ErrorType.GitSyncFailed, `git ${args[0] ?? ''} in ${repo}: ${e.message}`);
      }
    };
    const out = async (args: string[]): Promise<string> => (await git(args)).stdout.trim();

    if ((await git(['rev-parse', '--show-toplevel'])).code !== 0) {
      throw fail(ErrorType.InvalidConfig, `controller.repo ${repo} is not a git repository`);
    }
    const head = await git(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    const checkedOut = head.code === 0 ? head.stdout.trim() : '';
    if (checkedOut !== branch) {
      return {
        ok: false,
        ...base,
        reason: `${repo} has ${checkedOut ? `branch ${checkedOut}` : 'a detached HEAD'} checked out, not ${branch}; nothing merged`,
      };
    }

    const fetched = await git(['fetch', '--quiet', remote], 5 * 60_000);
    if (fetched.code !== 0) {
      throw fail(ErrorType.GitSyncFailed, `git fetch ${remote} in ${repo} failed: ${lastLines(fetched.stderr)}`);
    }
    const ref = `refs/remotes/${remote}/${branch}`;
    if ((await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).code !== 0) {
      return { ok: false, ...base, reason: `${remote}/${branch} does not exist after the fetch; nothing merged` };
    }
    const before = await out(['rev-parse', 'HEAD']);
    const remoteHead = await out(['rev-parse', ref]);
    if ((await git(['merge-base', '--is-ancestor', 'HEAD', ref])).code !== 0) {
      const ahead = await out(['rev-list', '--count', `${ref}..HEAD`]);
      const behind = await out(['rev-list', '--count', `HEAD..${ref}`]);
      if (behind === '0') {
        return {
          ok: true,
          ...base,
          before,
          after: before,
          fastForwarded: false,
          reason: `local ${branch} is ${ahead} commit(s) ahead of ${remote}/${branch}; nothing to merge`,
        };
      }
      return {
        ok: false,
        ...base,
        before,
        after: before,
        fastForwarded: false,
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
  };
}
