/**
 * One command on an SshShell: its argv and stdin, where it stands (queued, running, done), and
 * the promise its caller waits on, settled exactly once by the result, our deadline
 * (PeerCommandTimeout) or the caller's abort signal, whichever comes first.
 */
import { PeerCommandTimeout, abortError, describeCommand } from './shell';
import type { ExecOptions, ExecResult } from './shell';

const DEFAULT_TIMEOUT_MS = 30_000;

export interface Job {
  readonly argv: readonly string[];
  readonly stdin: Buffer | undefined;
  state: 'queued' | 'running' | 'done';
  /** Stops whatever is running the job (destroys its channel). */
  kill?: () => void;
  finish(err: Error | undefined, result?: ExecResult): void;
}

export function newJob(argv: readonly string[], stdin: Buffer | undefined): Job {
  return { argv, stdin, state: 'queued', finish: () => undefined };
}

/** Wires the job's deadline and abort signal; the returned promise settles exactly once. */
export function guardJob(peer: string, job: Job, opts: ExecOptions): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = opts.signal;
  return new Promise<ExecResult>((resolve, reject) => {
    const stop = (err: Error): void => {
      const kill = job.state === 'running' ? job.kill : undefined;
      job.finish(err);
      kill?.();
    };
    const timer = setTimeout(() => stop(new PeerCommandTimeout(peer, describeCommand(job.argv), timeoutMs)), timeoutMs);
    const onAbort = (): void => stop(abortError(signal!));
    job.finish = (err, result) => {
      if (job.state === 'done') return;
      job.state = 'done';
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(result!);
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
