/**
 * The `peer-comms send` CLI's own cost: where a warm send's time goes besides its workflow.
 * One traced CLI send per round (bench/cli-trace.mjs preloaded: module loads per package, each
 * gRPC round trip, the exit), laid against its workflow's start and close times from Temporal:
 *
 *   spawn → node ready → first RPC (modules, config, checks) → start RPC → workflow started →
 *   workflow closed → result in the CLI → exit begins → the parent sees the exit
 *
 * The CLI's own cost is the process's wall time minus its workflow's (start → close). Module
 * loads and round trips are counted too: load does not distort counts.
 *
 *   node --import tsx bench/cli-overhead.ts     alone (BENCH_N rounds, default 10), printed only
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { addAgent, makeConfig, startStack, type Stack } from '../test/helpers/stack';
import { uniqueQueue } from '../test/helpers/temporal';
import { cliSend, idle, workflowSend } from './measure';
import type { Ctx } from './sections';
import { median } from './stats';
import { CLI, ROOT, startWorkerProcess } from './worker';

const TRACER = join(ROOT, 'bench', 'cli-trace.mjs');

interface Trace {
  loadStart: number;
  nodeStart: number;
  modules: Record<string, { files: number; ms: number }>;
  rpcs: { method: string; start: number; end: number }[];
  exitAt: number;
  cpu: { firstRpc: number; exit: number };
}

/** One traced send, as phases in ms (they add up to `total`) and counts. */
export interface CliRun {
  total: number;
  phases: Record<Phase, number>;
  modules: Record<string, { files: number; ms: number }>;
  rpcs: Record<string, number>;
  /** CPU ms of the CLI process by its first RPC and in all. */
  cpu: { firstRpc: number; exit: number };
}

const PHASES = [
  ['spawn', 'process start until the preload runs (node boot)'],
  ['beforeConnect', 'modules, config, input checks: until the first RPC'],
  ['connect', 'connect: first RPC until the start RPC'],
  ['start', 'start RPC until the workflow exists (server time)'],
  ['workflow', 'the workflow runs (start → close, server time)'],
  ['result', 'workflow closed → result in the CLI'],
  ['output', 'result → exit begins (printing, flushing)'],
  ['exit', 'exit begins → the parent sees it'],
] as const;
type Phase = (typeof PHASES)[number][0];

/** `peer-comms send <peer> <text>` with the tracer preloaded; the breakdown of its time. */
export async function tracedCliSend(
  stack: Stack,
  client: Client,
  cfg: string,
  peer: string,
  text: string,
  script = CLI,
): Promise<CliRun> {
  const file = join(stack.dir, `cli-trace-${Date.now()}.json`);
  const spawnAt = Date.now();
  const { code, err } = await new Promise<{ code: number | null; err: string }>((resolve) => {
    let err = '';
    const child = spawn(process.execPath, ['--import', TRACER, script, '--config', cfg, 'send', peer, text], {
      env: { ...process.env, TEMPORAL_ADDRESS: stack.settings.address, PEER_COMMS_TRACE_FILE: file },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => resolve({ code, err }));
  });
  const exitSeen = Date.now();
  if (code !== 0) throw new Error(`traced peer-comms send ${peer} exited ${code}: ${err.slice(-2000)}`);
  const id = /^send (\S+)/m.exec(err)?.[1];
  if (!id) throw new Error(`traced peer-comms send: no workflow id in its output: ${err.slice(-500)}`);
  const d = await client.workflow.getHandle(id).describe();
  const t = JSON.parse(await readFile(file, 'utf8')) as Trace;
  const wfStart = d.startTime.getTime();
  const wfClose = d.closeTime?.getTime() ?? NaN;
  const first = t.rpcs[0]?.start ?? NaN;
  const startRpc = t.rpcs.find((r) => r.method === 'StartWorkflowExecution')?.start ?? NaN;
  const resultAt = Math.max(...t.rpcs.filter((r) => r.method === 'GetWorkflowExecutionHistory').map((r) => r.end));
  const phases: Record<Phase, number> = {
    spawn: t.loadStart - spawnAt,
    beforeConnect: first - t.loadStart,
    connect: startRpc - first,
    start: wfStart - startRpc,
    workflow: wfClose - wfStart,
    result: resultAt - wfClose,
    output: t.exitAt - resultAt,
    exit: exitSeen - t.exitAt,
  };
  const rpcs: Record<string, number> = {};
  for (const r of t.rpcs) rpcs[r.method] = (rpcs[r.method] ?? 0) + 1;
  return { total: exitSeen - spawnAt, phases, modules: t.modules, rpcs, cpu: t.cpu };
}

/** One round in `npm run bench`: a traced CLI send to the first peer, then its agent idle again. */
export async function cliOverheadRound(ctx: Ctx, i: number, runs: CliRun[]): Promise<void> {
  const p = ctx.peers[0]!;
  runs.push(await tracedCliSend(ctx.stack, ctx.client, ctx.cfg, p.name, `traced cli send ${i}`));
  await idle(ctx.stack, p);
}

const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');

/** The breakdown's medians as markdown lines: phases, module loads by package, round trips. */
export function overheadLines(runs: CliRun[]): string[] {
  if (!runs.length) return [];
  const med = (f: (r: CliRun) => number) => median(runs.map(f));
  const own = med((r) => r.total - r.phases.workflow);
  const lines = [
    `Medians of ${runs.length} traced warm sends (bench/cli-overhead.ts; bench/cli-trace.mjs preloaded, which adds`,
    `a little to module loading): the process took ${ms(med((r) => r.total))}, its workflow ${ms(med((r) => r.phases.workflow))},`,
    `so the CLI's own cost is ${ms(own)}.`,
    '',
    '| phase | median |',
    '|---|---|',
    ...PHASES.map(([k, what]) => `| ${what} | ${ms(med((r) => r.phases[k]))} |`),
    `| the CLI's own cost (all but the workflow) | ${ms(own)} |`,
    '',
  ];
  const pkgs = new Set(runs.flatMap((r) => Object.keys(r.modules)));
  const mod = [...pkgs].map((p) => ({
    p,
    files: med((r) => r.modules[p]?.files ?? 0),
    ms: med((r) => r.modules[p]?.ms ?? 0),
  }));
  mod.sort((a, b) => b.ms - a.ms);
  const all = { files: med((r) => sum(r.modules, 'files')), ms: med((r) => sum(r.modules, 'ms')) };
  lines.push('| files loaded by require, by package (a bundle is one file) | files | time |', '|---|---|---|');
  for (const m of mod.slice(0, 8)) lines.push(`| ${m.p} | ${m.files} | ${ms(m.ms)} |`);
  lines.push(`| all | ${all.files} | ${ms(all.ms)} |`, '');
  const methods = new Set(runs.flatMap((r) => Object.keys(r.rpcs)));
  const rpc = [...methods].map((m) => `${m} ${med((r) => r.rpcs[m] ?? 0)}`).join(', ');
  lines.push(`Round trips to Temporal per send (medians): ${rpc}.`, '');
  lines.push(
    `CPU time of the CLI process (medians; load barely changes it): ${ms(med((r) => r.cpu.firstRpc))} by its first RPC, ` +
      `${ms(med((r) => r.cpu.exit))} in all.`,
  );
  return lines;
}

function sum(modules: CliRun['modules'], k: 'files' | 'ms'): number {
  return Object.values(modules).reduce((s, m) => s + m[k], 0);
}

/** Alone: a stack, one stand-in, the built worker; BENCH_N rounds of plain CLI, traced CLI, workflow. */
async function alone(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 10);
  const stack = await startStack();
  try {
    const p = await addAgent(stack, { workMs: 500 });
    const taskQueue = uniqueQueue('bench');
    const cfg = join(stack.dir, 'bench-peers.json');
    await writeFile(cfg, JSON.stringify(makeConfig(stack, [p], {}, taskQueue)));
    const worker = startWorkerProcess(cfg, stack.settings.address);
    try {
      const client = stack.env.client;
      await workflowSend(client, taskQueue, p.name, 'warm-up');
      await idle(stack, p);
      const plain: number[] = [];
      const wf: number[] = [];
      const runs: CliRun[] = [];
      // the program without the fast start (npm run build keeps it as main-all.js), in the same rounds
      const unbundled = join(ROOT, 'dist', 'cli', 'main-all.js');
      const before: CliRun[] = [];
      for (let i = 0; i < n; i++) {
        plain.push(await cliSend(stack, cfg, p.name, { text: `cli send ${i}` }));
        await idle(stack, p);
        runs.push(await tracedCliSend(stack, client, cfg, p.name, `traced cli send ${i}`));
        await idle(stack, p);
        if (existsSync(unbundled)) {
          before.push(await tracedCliSend(stack, client, cfg, p.name, `traced unbundled send ${i}`, unbundled));
          await idle(stack, p);
        }
        wf.push((await workflowSend(client, taskQueue, p.name, `workflow send ${i}`)).ms);
        await idle(stack, p);
      }
      console.log(`CLI send ${ms(median(plain))}, workflow from a connected client ${ms(median(wf))}`);
      for (const l of overheadLines(runs)) console.log(l);
      if (before.length) {
        console.log('\nthe same rounds, main-all.js (the program unbundled, as before the fast start):');
        for (const l of overheadLines(before)) console.log(l);
      }
      if (process.env.BENCH_RAW === '1') console.log(JSON.stringify({ runs, before }));
    } finally {
      await worker.stop();
    }
  } finally {
    await stack.stop();
  }
}

if (require.main === module) {
  alone().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
