/**
 * A `via: worker` peer end to end: the controller worker runs the workflows, the peer worker
 * (`peer-comms worker --peer <name>`, its own process) runs the peer's steps on the queue
 * `<controller queue>@<name>` over local tmux — no SSH at all. With the peer worker stopped,
 * `peer-comms send` shows "no worker polling …" and goes on once it starts. The peer worker's
 * inbox watcher tells a running job about a new phone-home (a signal, not the job's scan).
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import type { JobStatus } from '../../src/contracts/job-status';
import { peerTaskQueue } from '../../src/contracts/route';
import { progressQuery, statusQuery } from '../../src/workflows/definitions';
import { startCli, type CliProcess } from '../helpers/cli';
import { addAgent, makeConfig, prompts, startStack, withWorker, type AgentPeer, type Stack } from '../helpers/stack';
import { recordHistory, uniqueQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

let stack: Stack | undefined;
const running: CliProcess[] = [];

before(async () => {
  stack = await startStack();
});

after(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await stack?.stop();
});

function theStack(): Stack {
  if (!stack) throw new Error('the stack did not start');
  return stack;
}

/** The peers-file entry of a worker peer: no host, no key; tmux and folders as the stand-in has them. */
function workerEntry(peer: AgentPeer): Record<string, unknown> {
  const { host: _h, port: _p, user: _u, privateKey: _k, knownHosts: _n, ...rest } = peer.entry;
  return { ...rest, via: 'worker', worker: { pickupTimeout: '5m' } };
}

/**
 * Where each activity of a workflow ran: the task queue it was scheduled on, or `local` for a
 * local activity (a marker, run by the workflow's own worker: the controller).
 */
async function scheduledQueues(workflowId: string): Promise<Map<string, Set<string>>> {
  const s = theStack();
  const history = await s.env.client.workflow.getHandle(workflowId).fetchHistory();
  const byActivity = new Map<string, Set<string>>();
  for (const e of history.events ?? []) {
    for (const p of e.markerRecordedEventAttributes?.details?.data?.payloads ?? []) {
      const local = /"activity_type":"([^"]+)"/.exec(Buffer.from(p.data ?? []).toString('utf8'))?.[1];
      if (local) byActivity.set(local, (byActivity.get(local) ?? new Set<string>()).add('local'));
    }
    const a = e.activityTaskScheduledEventAttributes;
    if (e.eventType !== temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || !a) continue;
    const name = a.activityType?.name ?? '?';
    const set = byActivity.get(name) ?? new Set<string>();
    set.add(a.taskQueue?.name ?? '?');
    byActivity.set(name, set);
  }
  return byActivity;
}

void describe('peer worker (via: worker)', () => {
  it('send waits visibly for a stopped peer worker, then runs every peer step on the peer queue without SSH', async () => {
    const s = theStack();
    const peer = await addAgent(s, { workMs: 800 });
    const tq = uniqueQueue('pw');
    const config = makeConfig(s, [], { [peer.name]: workerEntry(peer) }, tq);
    const cfgFile = join(s.dir, `${peer.name}.json`);
    await writeFile(cfgFile, JSON.stringify(config));
    const peerQueue = peerTaskQueue(tq, peer.name);
    const sshLoginsBefore = (s.sshd.log().match(/Accepted publickey/g) ?? []).length;
    const text = "from the peer worker: $(id) `x` 'q' ;";

    await withWorker(
      s,
      config,
      async () => {
        const send = startCli(s, ['--config', cfgFile, 'send', peer.name, text]);
        running.push(send);
        await waitFor(() => send.output().includes(`no worker polling ${peerQueue}`), {
          timeoutMs: 30_000,
          what: 'the send to say no worker polls the peer queue',
        });
        const workflowId = /send (send-\S+)/.exec(send.output())?.[1] ?? '';
        assert.ok(workflowId, send.output());
        const progress = await s.env.client.workflow.getHandle(workflowId).query(progressQuery);
        assert.equal(progress.phase, 'preflight');
        assert.equal(progress.route, peerQueue);
        assert.match(
          progress.waitingFor ?? '',
          new RegExp(`^no worker polling ${peerQueue}: start it on ${peer.name}`),
        );
        assert.deepEqual(await prompts(peer), []);

        const worker = startCli(s, ['--config', cfgFile, 'worker', '--peer', peer.name]);
        running.push(worker);
        const res = await send.done;
        assert.equal(res.code, 0, res.stdout + res.stderr);
        assert.match(res.stdout, /acked/);
        assert.match(
          worker.output(),
          new RegExp(`peer worker: ${peer.name} .*task queue "${peerQueue.replace(/[.]/g, '\\.')}"`),
        );

        await recordHistory(s.env, workflowId, 'send-via-worker-waited-acked');
        const queues = await scheduledQueues(workflowId);
        for (const step of ['preflight', 'inspectScreen', 'deliver', 'submit', 'awaitAck']) {
          assert.deepEqual([...(queues.get(step) ?? [])], [peerQueue], `${step} runs on the peer queue`);
        }
        // the ack step (on the peer) removed the delivery's buffers: no clean-up activity of its own
        assert.equal(
          queues.get('cleanupDelivery'),
          undefined,
          'no cleanupDelivery after an ack that removed the buffers',
        );
        assert.deepEqual([...(queues.get('queuePollers') ?? [])], [tq], 'queuePollers runs on the controller');
        // the controller's bookkeeping runs as local activities of the controller's workflow worker
        for (const step of ['routePeer', 'requestPaneLock', 'audit']) {
          assert.deepEqual([...(queues.get(step) ?? [])], ['local'], `${step} runs on the controller, locally`);
        }
        worker.child.kill('SIGTERM');
        assert.equal((await worker.done).code, 0, worker.output());
      },
      tq,
    );
    assert.deepEqual(
      (await prompts(peer)).map((b) => b.toString('utf8')),
      [text],
    );
    const sshLoginsAfter = (s.sshd.log().match(/Accepted publickey/g) ?? []).length;
    assert.equal(sshLoginsAfter, sshLoginsBefore, 'no SSH connection was made');
  });

  it("the peer worker's inbox watcher signals the running job on a new PHONE-HOME file", async () => {
    const s = theStack();
    const peer = await addAgent(s, { workMs: 800 });
    const tq = uniqueQueue('pwjob');
    // A scan once an hour: only the watcher's signal can tell the job in time.
    const entry = { ...workerEntry(peer), jobs: { scanInterval: '1h' } };
    const config = makeConfig(s, [], { [peer.name]: entry }, tq);
    const cfgFile = join(s.dir, `${peer.name}-job.json`);
    await writeFile(cfgFile, JSON.stringify(config));
    const inboxDir = join(peer.dir, 'inbox', peer.name);
    await mkdir(inboxDir, { recursive: true });

    await withWorker(
      s,
      config,
      async () => {
        const worker = startCli(s, ['--config', cfgFile, 'worker', '--peer', peer.name, '--inbox-interval', '500ms']);
        running.push(worker);
        const jobId = `job-${peer.name}-watch`;
        const job = await s.env.client.workflow.start('peerJob', {
          taskQueue: tq,
          workflowId: jobId,
          args: [{ peer: peer.name, directive: 'Measure the thing.' }],
        });
        // Watching, and its first watch scan (right after the directive's ack) done: the next is an hour away.
        await waitFor(
          async () => {
            const st = await job.query(statusQuery);
            return st.state === 'watching' && st.lastAck && (st.lastScanAt ?? 0) >= st.lastAck.at;
          },
          { timeoutMs: 30_000, what: 'the job to watch' },
        );
        const text = `# PHONE-HOME: disk\n\nJob ${jobId}: the scratch disk is full.\n\n## Recommendation\n(a) delete old checkpoints\n`;
        await writeFile(join(inboxDir, 'PHONE-HOME-disk.md'), text);
        const status: JobStatus = await waitFor(
          async () => {
            const st = await job.query(statusQuery);
            return st.state === 'awaiting-resolution' ? st : undefined;
          },
          { timeoutMs: 30_000, what: 'the job to pause on the phone-home' },
        );
        assert.equal(status.current?.topic, 'disk');
        assert.equal(status.current.source, 'signal');
        assert.equal(status.current.text, text);
        assert.match(worker.output(), new RegExp(`inbox watcher: PHONE-HOME-disk\\.md → ${jobId}`));
        await job.terminate('test over');
        worker.child.kill('SIGTERM');
        await worker.done;
      },
      tq,
    );
  });
});
