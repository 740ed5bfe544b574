/**
 * The controller worker as users run it — `node dist/cli/main.js worker` — in its own process,
 * so its RSS is its own (read from /proc/<pid>/status).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface WorkerChild {
  child: ChildProcess;
  /** Resident set size now, in MB. */
  rssMb(): number;
  stop(): Promise<void>;
}

export function startWorkerProcess(configPath: string, address: string): WorkerChild {
  const child = spawn(process.execPath, [CLI, '--config', configPath, 'worker'], {
    env: { ...process.env, TEMPORAL_ADDRESS: address },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`[worker exited ${code}] ${err}\n`);
  });
  return {
    child,
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}
