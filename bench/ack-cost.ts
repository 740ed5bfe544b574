/**
 * `node --import tsx bench/ack-cost.ts`: what one send's awaitAck costs on the wire, and how long
 * it takes after the turn's end. One stand-in agent (working 0.5 s per prompt, receipt hooks on)
 * over loopback sshd, an in-process controller worker whose peer shells are counted: every command
 * the awaitAck step runs (its polls, a C-m again if any), with the bytes it returned. Per send:
 * round trips, polls (commands that read the screen), bytes, the receipt hook's logged Stop → the
 * awaitAck step's end (workflow time), and Stop → the answer of the step's last command. Prints
 * medians of BENCH_N (default 10) sends. Asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import type { PeerShell } from '../src/peer-access/shell';
import { PeerShellPool } from '../src/peer-access/pool';
import { peerConnector } from '../src/workers/peer-shells';
import { createControllerWorker } from '../src/workers/controller';
import { addAgent, makeConfig, startStack } from '../test/helpers/stack';
import { uniqueQueue, workflowBundle } from '../test/helpers/temporal';
import { idle, workflowSend } from './measure';
import { stopAt } from './sections';
import { median } from './stats';

interface Call {
  at: number;
  screen: boolean;
  bytes: number;
  end: number;
}

function counted(shell: PeerShell, calls: Call[]): PeerShell {
  return new Proxy(shell, {
    get(target, key, receiver) {
      if (key !== 'exec') return Reflect.get(target, key, receiver) as unknown;
      return async (argv: readonly string[], opts?: Parameters<PeerShell['exec']>[1]) => {
        const at = Date.now();
        const r = await target.exec(argv, opts);
        const screen = argv.includes('capture-pane');
        calls.push({ at, screen, bytes: Buffer.byteLength(r.stdout) + Buffer.byteLength(r.stderr), end: Date.now() });
        return r;
      };
    },
  });
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 10);
  const stack = await startStack();
  try {
    const peer = await addAgent(stack, { workMs: 500 });
    const config = makeConfig(stack, [peer]);
    const calls: Call[] = [];
    const pool = new PeerShellPool(peerConnector(config));
    const shells = { get: async (name: string) => counted(await pool.get(name), calls) };
    const rows: {
      trips: number;
      polls: number;
      bytes: number;
      afterStop: number;
      readAfterStop: number;
      ackMs: number;
    }[] = [];
    const t0 = performance.now();
    const taskQueue = uniqueQueue('ack-cost');
    const { worker, pool: unused } = await createControllerWorker({
      config,
      connection: stack.env.nativeConnection,
      client: stack.env.client,
      namespace: stack.settings.namespace,
      taskQueue,
      deps: { shells },
      worker: { workflowBundle: await workflowBundle(), shutdownGraceTime: '1 second' },
    });
    const sends = async () => {
      await workflowSend(stack.env.client, taskQueue, peer.name, 'warm-up');
      await idle(stack, peer);
      for (let i = 0; i < n; i++) {
        calls.length = 0;
        const { result } = await workflowSend(stack.env.client, taskQueue, peer.name, `ack cost ${i}`);
        const step = result.steps.find((st) => st.step === 'awaitAck' && st.status === 'done');
        if (!step?.endedAt) throw new Error('no awaitAck step');
        const mine = calls.filter((c) => c.at >= step.startedAt && c.at <= step.endedAt!);
        rows.push({
          trips: mine.length,
          polls: mine.filter((c) => c.screen).length,
          bytes: mine.reduce((s, c) => s + c.bytes, 0),
          afterStop: step.endedAt - (await stopAt(peer, `ack cost ${i}`)),
          readAfterStop: Math.max(...mine.map((c) => c.end)) - (await stopAt(peer, `ack cost ${i}`)),
          ackMs: step.endedAt - step.startedAt,
        });
        const last = rows[rows.length - 1]!;
        if (last.afterStop > 1000) {
          console.log(
            `send ${i}: Stop → done ${last.afterStop} ms (${last.ackMs} ms in all): ${result.ackEvidence}; ${JSON.stringify(result.steps)}`,
          );
        }
        await idle(stack, peer);
      }
    };
    await worker.runUntil(sends());
    await unused.closeAll();
    await pool.closeAll();
    const med = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f));
    console.log(
      `awaitAck, ${n} sends (medians): Stop → done ${Math.round(med((r) => r.afterStop))} ms ` +
        `[${rows.map((r) => Math.round(r.afterStop)).join(' ')}], of which Stop → the last poll's answer ` +
        `${Math.round(med((r) => r.readAfterStop))} ms; step ${Math.round(med((r) => r.ackMs))} ms; ` +
        `${med((r) => r.trips)} round trips, ${med((r) => r.polls)} polls, ${Math.round(med((r) => r.bytes) / 1024)} KiB ` +
        `(${Math.round((performance.now() - t0) / 1000)} s)`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
