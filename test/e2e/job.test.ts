/**
 * A peer job end to end: real dev server, sshd, tmux and a stand-in agent that phones home.
 * Start a job (CLI), the agent writes PHONE-HOME-<topic>.md, the job pauses (job list --awaiting),
 * the worker is restarted while it waits, `job resolve --decision b` sends the resolution (acked,
 * byte-exact), the file moves to resolved/, a DONE marker ends the job and git is synced against a
 * local bare repository this test creates.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { JobStatus } from '../../src/contracts/job-status';
import { addAgent, makeConfig, prompts, withWorker } from '../helpers/stack';
import { recordHistory, uniqueQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { stackPerFile } from '../helpers/cli';

const ROOT = join(__dirname, '..', '..');
const { stack, cli } = stackPerFile();

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

describe('peer job', () => {
  it('phone-home → awaiting → worker restart → resolve b → resolution acked, file moved → DONE → git synced', async () => {
    // git: a bare "origin", the controller's clone, and the peer's working copy that pushes to origin
    const gitDir = join(stack().dir, 'git');
    await mkdir(gitDir, { recursive: true });
    git(gitDir, 'init', '-q', '--bare', '-b', 'main', 'origin.git');
    git(gitDir, 'clone', '-q', 'origin.git', 'peer-work');
    const peerWork = join(gitDir, 'peer-work');
    git(peerWork, 'checkout', '-q', '-b', 'main');
    await writeFile(join(peerWork, 'README'), 'start\n');
    git(peerWork, 'add', 'README');
    git(peerWork, 'commit', '-q', '-m', 'start');
    git(peerWork, 'push', '-q', 'origin', 'main');
    git(gitDir, 'clone', '-q', '-b', 'main', 'origin.git', 'controller');
    const controllerRepo = join(gitDir, 'controller');

    const peer = await addAgent(stack(), { workMs: 800 }, { inbox: true, entry: { jobs: { scanInterval: '1s' } } });
    const tq = uniqueQueue('job');
    const config = makeConfig(stack(), [peer], {}, tq);
    config.controller.repo = controllerRepo;
    const cfgFile = join(stack().dir, `${peer.name}-jobs.json`);
    await writeFile(cfgFile, JSON.stringify(config));
    const directive = `${await readFile(join(ROOT, 'examples', 'directive.md'), 'utf8')}\nstand-in: phone home thermal-check\n`;
    const directiveFile = join(stack().dir, 'directive.md');
    await writeFile(directiveFile, directive);
    const jobId = `job-${peer.name}-e2e`;
    const show = async (): Promise<JobStatus> => {
      const r = await cli(['--config', cfgFile, 'job', 'show', jobId, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as JobStatus;
    };

    // 1. start; the agent phones home; the job waits for a person
    await withWorker(
      stack(),
      config,
      async () => {
        const start = await cli(['--config', cfgFile, 'job', 'start', peer.name, directiveFile, '--slug', 'e2e']);
        assert.equal(start.code, 0, start.stderr);
        assert.match(start.stdout, new RegExp(`started ${jobId}`));
        await waitFor(
          async () => (await cli(['--config', cfgFile, 'job', 'list', '--awaiting'])).stdout.includes(jobId),
          {
            timeoutMs: 60_000,
            intervalMs: 500,
            what: 'job list --awaiting to show the job',
          },
        );
        const paused = await show();
        assert.equal(paused.state, 'awaiting-resolution');
        assert.equal(paused.current?.topic, 'thermal-check');
        assert.match(paused.current?.recommendation ?? '', /Re-run thermal-check/);
        assert.equal((await prompts(peer)).length, 1, 'the directive reached the agent once');
      },
      tq,
    );
    // the worker is gone now: the job waits durably; show says what it can without a worker
    const noWorker = await cli(['--config', cfgFile, 'job', 'show', jobId]);
    assert.equal(noWorker.code, 0, noWorker.stderr);
    assert.match(noWorker.stdout, /awaiting-resolution/);

    // meanwhile the peer pushed its work
    await writeFile(join(peerWork, 'RESULTS.md'), 'thermal baseline\n');
    git(peerWork, 'add', 'RESULTS.md');
    git(peerWork, 'commit', '-q', '-m', 'results');
    git(peerWork, 'push', '-q', 'origin', 'main');
    const pushed = git(peerWork, 'rev-parse', 'HEAD');

    // 2. a new worker; resolve with (b); the note tells the stand-in to write the DONE marker
    const done = await withWorker(
      stack(),
      config,
      async () => {
        const bad = await cli(['--config', cfgFile, 'job', 'resolve', jobId, '--decision', 'x', '--note', 'no']);
        assert.equal(bad.code, 2, 'an unknown decision is refused by the CLI');
        const note = `apply the fix and finish\nstand-in: done ${jobId}`;
        const res = await cli(['--config', cfgFile, 'job', 'resolve', jobId, '--decision', 'b', '--note', note]);
        assert.equal(res.code, 0, res.stderr);
        await waitFor(async () => (await show()).state === 'done', {
          timeoutMs: 60_000,
          intervalMs: 500,
          what: 'job done',
        });
        const again = await cli(['--config', cfgFile, 'job', 'resolve', jobId, '--decision', 'a']);
        assert.equal(again.code, 1, 'nothing is pending any more: rejected');
        assert.match(again.stderr, /rejected: the job .* has ended/);
        await recordHistory(stack().env, jobId, 'job-phone-home-resolved-done');
        return show();
      },
      tq,
    );
    assert.equal(done.resolutions.length, 1);
    const r = done.resolutions[0]!;
    assert.equal(r.decision, 'rerun-with-fix');
    assert.equal(r.sendOutcome, 'acked');
    // the resolution reached the agent byte-exact: the child send's input text is what was logged
    const history = await stack().env.client.workflow.getHandle(r.sendWorkflowId!).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const sent = (JSON.parse(Buffer.from(payload!).toString('utf8')) as { text: string }).text;
    const got = (await prompts(peer)).map(String);
    assert.equal(got.length, 2);
    assert.equal(got[1], sent);
    assert.match(sent, /apply the fix and finish/);
    // the phone-home moved to resolved/, nothing deleted
    const inbox = join(peer.dir, 'inbox', peer.name);
    assert.ok(!existsSync(join(inbox, 'PHONE-HOME-thermal-check.md')));
    assert.ok(existsSync(join(inbox, 'resolved', 'PHONE-HOME-thermal-check.md')));
    // git fetched and fast-forwarded
    assert.equal(done.gitSync?.ok, true, JSON.stringify(done.gitSync));
    assert.equal(git(controllerRepo, 'rev-parse', 'HEAD'), pushed);
  });
});
