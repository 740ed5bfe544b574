/**
 * One command on its own SSH exec channel: the fallback beside the persistent shell (stdin
 * above 256 KiB, or no shell available). The command is prefixed so that the first stderr line
 * is the session's process group, which lets a timeout kill it (see remote-shell.ts PRINT_PGID).
 */
import type { ClientChannel } from 'ssh2';
import { PRINT_PGID, parsePgid } from './remote-shell';
import { shJoin } from './shell';
import type { ExecResult } from './shell';

/** The exec request for argv: print the process group on stderr, then exec the command. */
export function execChannelCommand(argv: readonly string[]): string {
  return `${PRINT_PGID} >&2; echo >&2; exec ${shJoin(argv)}`;
}

/**
 * Writes stdin, drains stdout and stderr, and resolves on 'close'. A channel that closes
 * without an exit status (killed by a signal, connection lost) gives `code: null`.
 */
export function collectExecChannel(
  ch: ClientChannel,
  stdin: Buffer | undefined,
  onPgid: (pgid: string | undefined) => void,
): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let head: Buffer | undefined = Buffer.alloc(0); // stderr until the pgid line is complete
    let code: number | null = null;
    ch.on('data', (d: Buffer) => out.push(d));
    ch.stderr.on('data', (d: Buffer) => {
      if (head === undefined) {
        err.push(d);
        return;
      }
      head = Buffer.concat([head, d]);
      const nl = head.indexOf(0x0a);
      if (nl < 0) return;
      onPgid(parsePgid(head.toString('latin1', 0, nl)));
      err.push(head.subarray(nl + 1));
      head = undefined;
    });
    ch.on('exit', (c: number | null) => {
      if (typeof c === 'number') code = c; // (null, signal, …) when killed by a signal
    });
    ch.on('error', () => undefined); // 'close' follows
    ch.on('close', () =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    ch.end(stdin ?? Buffer.alloc(0));
  });
}

/** A counting semaphore for exec channels (sshd's MaxSessions is 10 per connection by default). */
export class ChannelSlots {
  private used = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly max: number) {}

  acquire(): Promise<void> {
    if (this.used < this.max) {
      this.used++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.used--;
  }
}
