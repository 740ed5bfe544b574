/**
 * Live feedback while a send waits, end to end (real Temporal dev server, real worker, a peer
 * whose sshd port is closed): the CLI's send shows the retrying preflight as it happens (its
 * attempt, its error, the next try), and the UI's "Current Details" (the workflow metadata query
 * the UI reads) names the step the send is on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineQuery } from '@temporalio/workflow';
import { runSend } from '../../src/cli/send-command';
import { EXIT } from '../../src/cli/exit';
import { addAgent, makeConfig, startStack, withWorker, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/** The SDK's built-in query behind the UI's "Current Details" (what setCurrentDetails set). */
const workflowMetadata = defineQuery<{ currentDetails?: string }>('__temporal_workflow_metadata');

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

describe('live feedback', () => {
  it('an unreachable peer: retry lines with attempt and error as they happen; current details name the step', async () => {
    const peer = await addAgent(stack, {}, { start: false, entry: { port: 1, thresholds: { outageWindow: '12s' } } });
    const config = makeConfig(stack, [peer]);
    const lines: string[] = [];
    const seen = await withWorker(stack, config, async (taskQueue) => {
      const running = runSend({
        client: stack.env.client,
        settings: stack.settings,
        taskQueue,
        peer: peer.name,
        text: 'x',
        mode: 'auto',
        queue: false,
        json: false,
        out: (l) => lines.push(l),
        err: (l) => lines.push(...l.split('\n')),
      });
      const workflowId = await waitFor(() => /^send (\S+)$/.exec(lines[0] ?? '')?.[1], {
        timeoutMs: 30_000,
        what: 'the send to start',
      });
      const handle = stack.env.client.workflow.getHandle(workflowId);
      const details = await waitFor(
        async () => {
          const d = (await handle.query(workflowMetadata)).currentDetails ?? '';
          return d.includes('unreachable') && d;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'current details naming the wait' },
      );
      const summary = await (await handle.describe()).staticSummary();
      return { run: await running, details, summary };
    });
    assert.equal(seen.run.exitCode, EXIT.failed);
    assert.equal(seen.run.error?.type, 'PeerUnreachable');
    assert.match(
      seen.details,
      new RegExp(`^send to ${peer.name} · preflight: waiting — ${peer.name} unreachable during`),
    );
    assert.equal(seen.summary, `send to ${peer.name}: x`);
    // one line per failed attempt Temporal retried, with the activity's error, while the send ran
    const retries = lines.filter((l) => l.startsWith(`  ↻ preflight on ${peer.name}: attempt `));
    const attempts = retries.map((l) => Number(/attempt (\d+) failed/.exec(l)?.[1]));
    assert.ok(
      attempts.some((n) => n >= 2),
      `no retry line with attempt >= 2 in:\n${lines.join('\n')}`,
    );
    for (const l of retries)
      assert.match(l, /attempt \d+ failed: .*127\.0\.0\.1:1\b.* · (next try in \d+ s|trying again)/);
    // polled about once a second, a retry is written once per failed attempt, not once per poll
    assert.ok(
      lines.every((l, i) => l !== lines[i - 1]),
      `a line repeated:\n${lines.join('\n')}`,
    );
  });
});
