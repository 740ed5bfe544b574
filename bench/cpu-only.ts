/**
 * `npm run bench -- --only cpu`: where the CPU of a send goes, part by part of the loopback stack
 * (bench/cpu.ts cpuByPart): BENCH_N rounds of a one-peer CLI send and a 20-peer CLI broadcast,
 * each followed by a wait until every agent is idle again. CPU seconds, not wall time: they hold
 * on a machine loaded by other work. BENCH_CPU_PROF=<dir> also runs the controller worker with
 * `node --cpu-prof` (profile written there when the worker stops).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { addAgent, makeConfig, startStack, type AgentPeer } from '../test/helpers/stack';
import { uniqueQueue } from '../test/helpers/temporal';
import { cpuByPart, processTable, type StackPids } from './cpu';
import { cliBroadcast, cliBroadcasts, idleAll, workflowSend } from './measure';
import { median } from './stats';
import { CLI, startWorkerProcess, type WorkerChild } from './worker';

const PARTS = [
  'controller worker',
  'Temporal server',
  'CLI',
  'sshd',
  'peer commands',
  'tmux server',
  'stand-ins',
  'hooks',
  'bench process',
];

/** The worker as bench/worker.ts starts it; with BENCH_CPU_PROF, under `node --cpu-prof` (not allowed in NODE_OPTIONS). */
function startWorker(cfg: string, address: string): WorkerChild {
  const prof = process.env.BENCH_CPU_PROF;
  if (!prof) return startWorkerProcess(cfg, address);
  const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', prof, CLI, '--config', cfg, 'worker'], {
    env: { ...process.env, TEMPORAL_ADDRESS: address },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    child,
    rssMb: () => NaN,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

export async function runCpu(n: number): Promise<void> {
  const stack = await startStack();
  try {
    const peers: AgentPeer[] = [];
    for (let i = 0; i < 20; i++) peers.push(await addAgent(stack, { workMs: 500 }));
    const cfg = join(stack.dir, 'bench-peers.json');
    const taskQueue = uniqueQueue('bench');
    await writeFile(cfg, JSON.stringify(makeConfig(stack, peers, {}, taskQueue)));
    const worker = startWorker(cfg, stack.settings.address);
    try {
      await Promise.all(peers.map((p) => workflowSend(stack.env.client, taskQueue, p.name, 'warm-up')));
      await idleAll(stack, peers);
      const tmuxPid = Number((await stack.tmux.check(['display-message', '-p', '#{pid}'])).trim());
      const pids: StackPids = {
        bench: process.pid,
        worker: worker.child.pid ?? NaN,
        sshd: stack.sshd.pid,
        tmux: tmuxPid,
      };
      const asList = await cliBroadcasts();
      const rows = new Map<number, { wall: number; parts: Map<string, number> }[]>([
        [1, []],
        [20, []],
      ]);
      for (let i = 0; i < n; i++) {
        for (const size of [1, 20]) {
          const group = peers.slice(0, size);
          const a = processTable();
          const t = performance.now();
          await cliBroadcast(stack, cfg, group, `cpu ${size} #${i}`, asList);
          const wall = performance.now() - t;
          rows.get(size)!.push({ wall, parts: cpuByPart(a, processTable(), pids) });
          await idleAll(stack, group);
        }
      }
      for (const [size, list] of rows) {
        const med = (f: (r: (typeof list)[number]) => number) => median(list.map(f));
        const total = med((r) => [...r.parts.values()].reduce((s, v) => s + v, 0));
        console.log(
          `\n${size === 1 ? 'one send' : `${size}-peer broadcast`}: ${(med((r) => r.wall) / 1000).toFixed(2)} s wall, ` +
            `${total.toFixed(2)} CPU s in the stack (medians of ${list.length})`,
        );
        for (const part of PARTS) {
          const s = med((r) => r.parts.get(part) ?? 0);
          console.log(
            `  ${part.padEnd(18)} ${s.toFixed(2)} s   ${((s / size) * 1000).toFixed(0).padStart(4)} ms per send`,
          );
        }
      }
    } finally {
      await worker.stop();
    }
  } finally {
    await stack.stop();
  }
}
