/**
 * Controller workers in their own processes (helpers/worker-process.ts), so crash tests can
 * SIGKILL them: spawn one, wait for it to end, and kill whatever is left in `after`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Stack } from './stack';

export class WorkerProcesses {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly stack: () => Stack) {}

  /** A worker serving `taskQueue` with the peers of `configPath`; `killAt` = `<activity>[@<ms>]` makes it die there. */
  start(configPath: string, taskQueue: string, killAt?: string): ChildProcess {
    const s = this.stack();
    const args = [
      '--import',
      'tsx',
      join(__dirname, 'worker-process.ts'),
      configPath,
      taskQueue,
      s.settings.address,
      s.settings.namespace,
      ...(killAt ? [killAt] : []),
    ];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: join(__dirname, '..', '..'),
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker] ${d.toString()}`));
    return child;
  }

  killAll(): void {
    for (const c of this.children) c.kill('SIGKILL');
  }
}

/** How a worker process ended: its signal (e.g. 'SIGKILL') or exit code. */
export function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code)));
}
