/**
 * `npm run bench`: the proof of issue 12. One run sets up a Temporal dev server, sshd on
 * 127.0.0.1, a tmux server and 20 stand-in agents (working 0.5 s per prompt), runs the controller
 * worker as its own process (`peer-comms worker`, the built CLI), and measures, interleaved with
 * the two baselines (bare one-shot ssh; the hand ceremony): CLI and workflow sends, broadcasts to
 * 1/5/20 peers, a 5,000-line send, history events per send, worker RSS idle and with open jobs,
 * ack latency after the working line, `--help`, and each step's share of a send. Prints medians,
 * ratios, the goals with ✓/✗ and the load average; writes docs/bench.md, docs/bench.svg and the
 * README's Speed lines. Asserts nothing: timing goals live here, never in tests.
 *
 *   npm run bench                     BENCH_N=5 (rounds per section), BENCH_JOBS=50, BENCH_DRY=1 (print only)
 *   npm run bench -- --only history   one section alone, printed only (also --only rss; bench/only.ts)
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SendResult } from '../src/contracts/send';
import { addAgent, makeConfig, startStack, type AgentPeer } from '../test/helpers/stack';
import { uniqueQueue } from '../test/helpers/temporal';
import { cliOverheadRound, overheadLines, type CliRun } from './cli-overhead';
import { cliBroadcasts, idleAll, workflowSend } from './measure';
import { loadNow, printReport, writeReport, type Report, type Row, type StepShare } from './report';
import { broadcastRound, bigRound, closeJobs, helpRound, openJobs, singleRound, type Ctx } from './sections';
import { onlyArg, runOnly } from './only';
import { median, Samples } from './stats';
import { startWorkerProcess } from './worker';

const N = Number(process.env.BENCH_N ?? 5);
const JOBS = Number(process.env.BENCH_JOBS ?? 50);
const FLEET = 20;

function stepShares(results: SendResult[]): StepShare[] {
  const by = new Map<string, number[]>();
  const totals: number[] = [];
  for (const r of results) {
    const done = r.steps.filter((s) => s.endedAt !== undefined);
    if (!done.length) continue;
    totals.push(Math.max(...done.map((s) => s.endedAt!)) - Math.min(...done.map((s) => s.startedAt)));
    const per = new Map<string, number>();
    for (const s of done) per.set(s.step, (per.get(s.step) ?? 0) + (s.endedAt! - s.startedAt));
    for (const [step, ms] of per) by.set(step, [...(by.get(step) ?? []), ms]);
  }
  const total = median(totals);
  const shares = [...by].map(([step, xs]) => ({ step, ms: median(xs), share: median(xs) / total }));
  return [...shares, { step: 'whole send', ms: total, share: 1 }];
}

function rows(ctx: Ctx, rss: { idle: number; jobs: number }, asList: boolean): Row[] {
  const m = (k: string) => ctx.s.median(k);
  const bare = { what: 'bare ssh', value: m('bare') };
  const hand = { what: 'hand ceremony', value: m('hand') };
  const cast = asList ? 'one `send a,b,…` process' : 'parallel CLI processes (no comma list in this build)';
  const events = ctx.events.map((e) => e.send + e.lock);
  return [
    {
      what: '`peer-comms send` CLI, warm worker',
      value: m('cli'),
      unit: 'ms',
      baseline: bare,
      goal: { ratio: 1.5 },
      key: true,
    },
    {
      what: '`peer-comms send` CLI, same rounds',
      value: m('cli'),
      unit: 'ms',
      baseline: hand,
      goal: { ratio: 0.3 },
      key: true,
    },
    {
      what: 'workflow start → ack, connected client',
      value: m('workflow'),
      unit: 'ms',
      baseline: bare,
      goal: { ratio: 1.0 },
      key: true,
    },
    { what: `1 peer, ${cast}`, value: m('broadcast1'), unit: 'ms', baseline: { what: 'one send', value: m('cli') } },
    { what: `5 peers, ${cast}`, value: m('broadcast5'), unit: 'ms', baseline: { what: 'one send', value: m('cli') } },
    {
      what: `20 peers, ${cast}`,
      value: m('broadcast20'),
      unit: 'ms',
      baseline: { what: 'one send', value: m('cli') },
      goal: { ratio: 1.5 },
      key: true,
    },
    {
      what: '20 workflows from one client',
      value: m('wf20'),
      unit: 'ms',
      baseline: { what: 'one workflow', value: m('workflow') },
      goal: { ratio: 1.5 },
    },
    {
      what: `5,000 lines / ${Math.round(m('bytes') / 1000)} KB, CLI`,
      value: m('bigCli'),
      unit: 'ms',
      baseline: { what: 'hand ceremony, scp + paste', value: m('bigHand') },
      goal: { ratio: 0.3 },
      key: true,
    },
    {
      what: 'history events per send, lock included',
      value: median(events),
      unit: 'events',
      goal: { max: 40 },
      key: true,
      note: `send ${median(ctx.events.map((e) => e.send))} + lock ${median(ctx.events.map((e) => e.lock))}`,
    },
    { what: 'controller worker RSS, idle', value: rss.idle, unit: 'MB' },
    { what: `controller worker RSS, ${JOBS} jobs open`, value: rss.jobs, unit: 'MB', goal: { max: 250 }, key: true },
    { what: 'agent shows working → awaitAck done', value: m('ackAfterWorking'), unit: 'ms', goal: { max: 100 } },
    { what: 'turn ended (Stop hook) → awaitAck done', value: m('ackAfterStop'), unit: 'ms' },
    { what: '`peer-comms --help`', value: m('help'), unit: 'ms', goal: { max: 150 } },
  ];
}

/** Where the 20-peer broadcast's time went: this machine's two cores host the controller and all 20 peers. */
function cpuNote(ctx: Ctx): string {
  const med = (f: (c: Ctx['cpu20'][number]) => number) => median(ctx.cpu20.map(f));
  const s = (v: number) => `${v.toFixed(1)} s`;
  const peersS = med((c) => c.machineS - c.workerS - c.temporalS);
  return (
    `20-peer broadcast, CPU (medians): ${s(med((c) => c.wallS))} wall, machine busy ${s(med((c) => c.machineS))} ` +
    `(${Math.round(med((c) => c.load) * 100)}% of both cores); controller worker ${s(med((c) => c.workerS))}, ` +
    `Temporal server ${s(med((c) => c.temporalS))}, everything else ${s(peersS)} (the 20 simulated peers: sshd, ` +
    `tmux, stand-in agents and their hook processes, plus the CLI).`
  );
}

async function startPeers(ctx: { stack: Ctx['stack'] }): Promise<AgentPeer[]> {
  const peers: AgentPeer[] = [];
  for (let i = 0; i < FLEET; i++) peers.push(await addAgent(ctx.stack, { workMs: 500 }));
  return peers;
}

async function main(): Promise<void> {
  const only = onlyArg(); // one section alone, printed only: bench/only.ts
  if (only) return runOnly(only);
  const t0 = performance.now();
  const loadBefore = loadNow();
  const stack = await startStack();
  const notes: string[] = [];
  try {
    const peers = await startPeers({ stack });
    const taskQueue = uniqueQueue('bench');
    const cfg = join(stack.dir, 'bench-peers.json');
    await writeFile(cfg, JSON.stringify(makeConfig(stack, peers, {}, taskQueue)));
    const worker = startWorkerProcess(cfg, stack.settings.address);
    const ctx: Ctx = {
      stack,
      client: stack.env.client,
      taskQueue,
      cfg,
      peers,
      s: new Samples(),
      results: [],
      events: [],
      workerPid: worker.child.pid ?? NaN,
      cpu20: [],
    };
    try {
      // warm-up: the worker's bundle and caches, one SSH connection and one lock per peer
      await Promise.all(peers.map((p) => workflowSend(ctx.client, taskQueue, p.name, 'warm-up')));
      await idleAll(stack, peers);
      const idleRss = worker.rssMb();
      const asList = await cliBroadcasts();
      if (!asList)
        notes.push(
          '`peer-comms send` takes one peer in this build: broadcasts are parallel CLI processes, one per peer.',
        );
      console.log(`warm; ${FLEET} peers; N=${N}; worker RSS ${idleRss.toFixed(0)} MB; measuring…`);
      for (let i = 0; i < N; i++) await helpRound(ctx);
      for (let i = 0; i < N; i++) await singleRound(ctx, i);
      const cliRuns: CliRun[] = []; // the CLI's own cost: bench/cli-overhead.ts
      for (let i = 0; i < N; i++) await cliOverheadRound(ctx, i, cliRuns);
      for (let i = 0; i < N; i++) await broadcastRound(ctx, i, asList);
      for (let i = 0; i < N; i++) await bigRound(ctx, i);
      const ids = await openJobs(ctx, JOBS, Date.now().toString(36));
      const jobsRss = Math.max(...[0, 1, 2].map(() => worker.rssMb()));
      await closeJobs(ctx, ids);
      const counter = ctx.events[0]?.counter;
      if (counter) notes.push(`history events counted by ${counter}.`);
      notes.push(
        `the ${JOBS} jobs are open (watching for a DONE marker their stand-in agents never write), spread over ${FLEET} peers.`,
      );
      notes.push(
        'worker RSS is the `peer-comms worker` process (the built CLI) alone, from /proc/<pid>/status VmRSS; "idle" is after the warm-up sends.',
      );
      notes.push(
        "ack latency: the awaitAck step's end (workflow time) minus the stand-in's log time of the prompt (it shows working from then); after Stop: minus the time the receipt hook logged the turn's Stop in the event log (the evidence an ack waits for).",
      );
      notes.push(cpuNote(ctx));
      notes.push(
        `workflow start → the agent took the text (its prompt log): ${Math.round(ctx.s.median('toPrompt'))} ms, ${(ctx.s.median('toPrompt') / ctx.s.median('bare')).toFixed(2)}× bare ssh; the rest of a send is the turn's confirmation (design.md: an ack is a matching receipt and no API error in the turn's first seconds; the stand-in's turn ends after 0.5 s).`,
      );
      const last = ctx.results[ctx.results.length - 1];
      const ack = last?.steps.find((st) => st.step === 'awaitAck');
      if (last) notes.push(`the last workflow send's awaitAck: ${ack?.detail ?? '?'} (evidence: ${last.ackEvidence}).`);
      const report: Report = {
        n: N,
        rows: rows(ctx, { idle: idleRss, jobs: jobsRss }, asList),
        steps: stepShares(ctx.results),
        sections: [{ title: "The `peer-comms send` CLI's own cost", lines: overheadLines(cliRuns) }],
        notes,
        load: { before: loadBefore, after: loadNow() },
        seconds: (performance.now() - t0) / 1000,
      };
      printReport(report);
      // BENCH_DRY=1: print only (a trial run must not overwrite the committed docs/bench.md)
      if (process.env.BENCH_DRY !== '1') await writeReport(report);
    } finally {
      await worker.stop();
    }
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
