/**
 * One section of the benchmark alone (`npm run bench -- --only history|rss`), for a change that
 * touches only it: the same stack, stand-ins and built worker process as the full run, printed
 * only (docs/bench.md is left alone).
 *
 * - history: BENCH_N workflow sends to one peer, one at a time; each send's history events and the
 *   pane lock's share, by type (bench/history-events.ts).
 * - cpu: CPU seconds per part of the stack for one send and a 20-peer broadcast (bench/cpu-only.ts).
 * - rss: the controller worker's RSS idle (after a warm-up send per peer), with BENCH_JOBS open
 *   jobs, and after BENCH_SENDS more sends (20 peers at a time).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addAgent, makeConfig, startStack, type AgentPeer, type Stack } from '../test/helpers/stack';
import { uniqueQueue } from '../test/helpers/temporal';
import { runCpu } from './cpu-only';
import { countSendEvents } from './history-events';
import { idle, idleAll, workflowSend } from './measure';
import { closeJobs, openJobs, type Ctx } from './sections';
import { median, Samples } from './stats';
import { startWorkerProcess, type WorkerChild } from './worker';

export type Only = 'history' | 'rss' | 'cpu';

/** The section named by `--only <name>`, undefined without the flag; exits 2 on an unknown name. */
export function onlyArg(argv: readonly string[] = process.argv): Only | undefined {
  const i = argv.indexOf('--only');
  if (i < 0) return undefined;
  const name = argv[i + 1];
  if (name === 'history' || name === 'rss' || name === 'cpu') return name;
  console.error(`bench: --only takes history, rss or cpu, not ${name ?? 'nothing'}`);
  process.exit(2);
}

async function withWorkerProcess(
  stack: Stack,
  peers: AgentPeer[],
  fn: (ctx: Ctx, worker: WorkerChild) => Promise<void>,
): Promise<void> {
  const taskQueue = uniqueQueue('bench');
  const cfg = join(stack.dir, 'bench-peers.json');
  await writeFile(cfg, JSON.stringify(makeConfig(stack, peers, {}, taskQueue)));
  const worker = startWorkerProcess(cfg, stack.settings.address);
  const ctx = { stack, client: stack.env.client, taskQueue, cfg, peers, s: new Samples(), results: [], events: [] };
  try {
    await fn({ ...ctx, workerPid: worker.child.pid ?? NaN, cpu20: [] }, worker);
  } finally {
    await worker.stop();
  }
}

async function history(stack: Stack, n: number): Promise<void> {
  const peers = [await addAgent(stack, { workMs: 500 })];
  await withWorkerProcess(stack, peers, async (ctx) => {
    const p = peers[0]!;
    const totals: number[] = [];
    for (let i = 0; i <= n; i++) {
      const { result } = await workflowSend(ctx.client, ctx.taskQueue, p.name, `history send ${i}`);
      await idle(stack, p);
      const c = await countSendEvents(ctx.client, result.workflowId);
      // the first send starts the lock workflow: its share then includes the lock's start
      console.log(`${i === 0 ? 'warm-up' : `send ${i}`}: send ${c.send} + lock ${c.lock} = ${c.send + c.lock}`);
      if (i > 0) totals.push(c.send + c.lock);
      if (i === n) console.log(JSON.stringify({ send: c.byType, lock: c.lockByType }, null, 1));
    }
    console.log(`history events per send, lock included: median ${median(totals)} (goal ≤ 40)`);
  });
}

async function rss(stack: Stack, jobs: number, sends: number): Promise<void> {
  const peers: AgentPeer[] = [];
  for (let i = 0; i < 20; i++) peers.push(await addAgent(stack, { workMs: 500 }));
  await withWorkerProcess(stack, peers, async (ctx, worker) => {
    const mb = () => Math.max(...[0, 1, 2].map(() => worker.rssMb())).toFixed(0);
    await Promise.all(peers.map((p) => workflowSend(ctx.client, ctx.taskQueue, p.name, 'warm-up')));
    await idleAll(stack, peers);
    console.log(`controller worker RSS, idle: ${mb()} MB`);
    const ids = await openJobs(ctx, jobs, Date.now().toString(36));
    console.log(`controller worker RSS, ${jobs} jobs open: ${mb()} MB (goal ≤ 250 MB)`);
    for (let done = 0; done < sends; done += peers.length) {
      const wave = peers.slice(0, Math.min(peers.length, sends - done));
      await Promise.all(wave.map((p) => workflowSend(ctx.client, ctx.taskQueue, p.name, `rss send ${done}`)));
      await idleAll(stack, wave);
      if ((done / peers.length) % 10 === 9) console.log(`  ${done + wave.length} sends: ${mb()} MB`);
    }
    console.log(`controller worker RSS, ${jobs} jobs open, after ${sends} more sends: ${mb()} MB (goal ≤ 250 MB)`);
    await closeJobs(ctx, ids);
  });
}

export async function runOnly(only: Only): Promise<void> {
  if (only === 'cpu') return runCpu(Number(process.env.BENCH_N ?? 5)); // its own stack: bench/cpu-only.ts
  const stack = await startStack();
  try {
    if (only === 'history') await history(stack, Number(process.env.BENCH_N ?? 5));
    else await rss(stack, Number(process.env.BENCH_JOBS ?? 50), Number(process.env.BENCH_SENDS ?? 1000));
  } finally {
    await stack.stop();
  }
}
