/**
 * gitSync against real git repositories in a temp folder: a bare "origin", the controller's
 * clone, and a peer's clone that pushes. Fast-forward, already up to date, local ahead,
 * diverged (HEAD and the working tree untouched), wrong branch, not configured, not a repo.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { ControllerDeps } from '../../src/activities';
import { execGit } from '../../src/activities/git-run';
import { createGitSync } from '../../src/activities/git-sync';
import { configSchema } from '../../src/config/schema';

const run = promisify(execFile);
const IDENTITY = ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false'];

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', [...IDENTITY, ...args], { cwd, env: { ...process.env, LC_ALL: 'C' } });
  return stdout.trim();
}

async function commit(repo: string, file: string, content: string): Promise<string> {
  await writeFile(join(repo, file), content);
  await git(repo, 'add', file);
  await git(repo, 'commit', '-q', '-m', `${file}: ${content}`);
  return git(repo, 'rev-parse', 'HEAD');
}

function deps(controller: Record<string, unknown>): Pick<ControllerDeps, 'config' | 'runGit'> {
  return {
    config: configSchema.parse({ controller, peers: { local: { via: 'local' } } }),
    runGit: execGit,
  };
}

void describe('gitSync', () => {
  let root = '';
  let origin = '';
  let controller = '';
  let peer = '';

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-git-'));
    origin = join(root, 'origin.git');
    controller = join(root, 'controller');
    peer = join(root, 'peer');
    await run('git', ['init', '-q', '--bare', '-b', 'main', origin]);
    await run('git', ['clone', '-q', origin, controller]);
    await git(controller, 'checkout', '-q', '-b', 'main');
    await commit(controller, 'README.md', 'start');
    await git(controller, 'push', '-q', 'origin', 'main');
    await run('git', ['clone', '-q', '-b', 'main', origin, peer]);
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const sync = (extra: Record<string, unknown> = {}) =>
    createGitSync(deps({ repo: controller, ...extra }))({ jobId: 'job-t' });

  void test('not configured: skipped, and says so', async () => {
    const r = await createGitSync(deps({}))({ jobId: 'job-t' });
    assert.deepEqual(r, { ok: false, skipped: true, reason: 'controller.repo is not configured: git sync skipped' });
  });

  void test('fast-forward: fetches and merges what the peer pushed', async () => {
    const pushed = await commit(peer, 'result.txt', 'phase 1 done');
    await git(peer, 'push', '-q', 'origin', 'main');
    const before = await git(controller, 'rev-parse', 'HEAD');
    const r = await sync();
    assert.equal(r.ok, true, r.reason);
    assert.equal(r.fastForwarded, true);
    assert.equal(r.before, before);
    assert.equal(r.after, pushed);
    assert.equal(await git(controller, 'rev-parse', 'HEAD'), pushed);
    assert.equal(await readFile(join(controller, 'result.txt'), 'utf8'), 'phase 1 done');

    const again = await sync();
    assert.equal(again.ok, true);
    assert.equal(again.fastForwarded, false);
  });

  void test('local ahead: nothing to merge, ok', async () => {
    await commit(controller, 'local.txt', 'mine');
    const r = await sync();
    assert.equal(r.ok, true);
    assert.equal(r.fastForwarded, false);
    assert.match(r.reason ?? '', /1 commit\(s\) ahead of origin\/main/);
    await git(controller, 'push', '-q', 'origin', 'main');
    await git(peer, 'pull', '-q', '--ff-only');
  });

  void test('diverged: not a fast-forward, HEAD and working tree untouched', async () => {
    const local = await commit(controller, 'notes.txt', 'local change');
    await commit(peer, 'notes.txt', 'peer change');
    await git(peer, 'push', '-q', 'origin', 'main');
    const r = await sync();
    assert.equal(r.ok, false);
    assert.match(r.reason ?? '', /diverged \(1 local commit\(s\), 1 remote\); not a fast-forward, nothing merged/);
    assert.equal(r.before, local);
    assert.equal(r.after, local);
    assert.equal(await git(controller, 'rev-parse', 'HEAD'), local);
    assert.equal(await git(controller, 'status', '--porcelain'), '');
    assert.equal(await readFile(join(controller, 'notes.txt'), 'utf8'), 'local change');
    await assert.rejects(stat(join(controller, '.git', 'MERGE_HEAD')), 'no merge in progress');
  });

  void test('another branch checked out: nothing merged', async () => {
    const r = await sync({ gitBranch: 'release' });
    assert.equal(r.ok, false);
    assert.match(r.reason ?? '', /has branch main checked out, not release; nothing merged/);
  });

  void test('not a git repository, or no folder at all: InvalidConfig', async () => {
    for (const repo of [root, join(root, 'missing')]) {
      await assert.rejects(createGitSync(deps({ repo }))({ jobId: 'job-t' }), (err: Error & { type?: string }) => {
        assert.equal(err.type, 'InvalidConfig');
        return true;
      });
    }
  });

  void test('a fetch that fails is a retryable GitSyncFailed', async () => {
    await assert.rejects(sync({ gitRemote: 'nowhere' }), (err: Error & { type?: string; nonRetryable?: boolean }) => {
      assert.equal(err.type, 'GitSyncFailed');
      assert.equal(err.nonRetryable, false);
      assert.match(err.message, /git fetch nowhere/);
      return true;
    });
  });
});
