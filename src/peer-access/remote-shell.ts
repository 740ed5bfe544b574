/**
 * One persistent `/bin/sh` on an SSH exec channel whose stdin is a stream of commands.
 *
 * Each command is written as one line (its arguments single-quoted by shJoin), run in a
 * subshell so no builtin such as `exit` or `cd` can change the persistent shell, with stdin
 * from /dev/null (or from inline base64 bytes), followed by framing:
 *
 *   ( cmd ) </dev/null
 *   __pc=$?; printf '\n%s %s\n' MARKER "$__pc"; printf '\n%s\n' MARKER >&2
 *
 * MARKER is random per command. The reply is complete when stdout holds `\nMARKER <status>\n`
 * and stderr holds `\nMARKER\n`; everything before the `\n` that starts the framing is the
 * command's own output, byte for byte (a missing trailing newline stays missing).
 * Commands are run one at a time; the caller serializes them.
 *
 * Closing the channel does not stop a running command (and sshd keeps the session, one of its
 * MaxSessions, until the shell exits), so on a timeout the owner kills the shell's process
 * group through another channel: see `pgid`.
 */
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { PeerUnreachable, shJoin, shQuote } from './shell';

/** stdin up to this size travels inline as base64 on the command line; larger goes via its own channel. */
export const MAX_INLINE_STDIN = 256 * 1024;

export interface RawResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The shell line for one command: in a subshell, stdin from /dev/null or from inline base64. */
export function commandLine(argv: readonly string[], stdin: Buffer | undefined): string {
  const cmd = `( ${shJoin(argv)} )`;
  if (stdin === undefined) return `${cmd} </dev/null`;
  return `printf '%s' ${shQuote(stdin.toString('base64'))} | base64 -d | ${cmd}`;
}

/** The text written to the shell: the command line, then the framing. */
export function frameLine(line: string, marker: string): string {
  return `${line}\n__pc=$?; printf '\\n%s %s\\n' ${marker} "$__pc"; printf '\\n%s\\n' ${marker} >&2\n`;
}

/**
 * Prints the process group of the shell that runs it (field 5 of /proc/$$/stat). sshd starts
 * every session in its own session and process group, so killing that group stops the session's
 * shell and every command it started, but no daemon that detached itself (a tmux server).
 */
export const PRINT_PGID = `read -r __1 __2 __3 __4 __pg __6 </proc/$$/stat 2>/dev/null; printf '%s' "$__pg"`;

/** A process group id as printed by PRINT_PGID, or undefined when it is not a plausible one. */
export function parsePgid(text: string): string | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) && Number(t) > 1 ? t : undefined;
}

export function newMarker(): string {
  return `__PEERCOMMS_${randomBytes(16).toString('hex')}__`;
}

/**
 * Collects one stream until `\n<marker>` followed by a line end. `body` is what came before,
 * `trailer` the text between the marker and the line end (the exit status on stdout).
 */
export class MarkerStream {
  private buf = Buffer.alloc(16 * 1024);
  private len = 0;
  private searchedTo = 0;
  private needleAt = -1;
  private readonly needle: Buffer;
  body: Buffer | undefined;
  trailer = '';

  constructor(marker: string) {
    this.needle = Buffer.from(`\n${marker}`, 'latin1');
  }

  get done(): boolean {
    return this.body !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.done) return; // bytes after the framing (a stray background job): dropped
    if (this.len + chunk.length > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.len + chunk.length));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
    const view = this.buf.subarray(0, this.len);
    if (this.needleAt < 0) {
      const at = view.indexOf(this.needle, Math.max(0, this.searchedTo - this.needle.length + 1));
      if (at < 0) {
        this.searchedTo = this.len;
        return;
      }
      this.needleAt = at;
    }
    const eol = view.indexOf(0x0a, this.needleAt + this.needle.length);
    if (eol < 0) return;
    this.trailer = view.toString('latin1', this.needleAt + this.needle.length, eol);
    this.body = Buffer.from(view.subarray(0, this.needleAt));
  }
}

interface InFlight {
  out: MarkerStream;
  err: MarkerStream;
  resolve: (r: RawResult) => void;
  reject: (e: Error) => void;
}

export class RemoteShell {
  private current: InFlight | undefined;
  private closedFlag = false;

  constructor(
    private readonly peer: string,
    private readonly channel: ClientChannel,
    onClosed: () => void,
  ) {
    channel.on('data', (d: Buffer) => this.feed('out', d));
    channel.stderr.on('data', (d: Buffer) => this.feed('err', d));
    const closed = (why: string): void => {
      if (this.closedFlag) return;
      this.closedFlag = true;
      const c = this.current;
      this.current = undefined;
      c?.reject(
        new PeerUnreachable(peer, `the remote shell ${why} before the command finished (it may or may not have run)`),
      );
      onClosed();
    };
    channel.on('close', () => closed('closed'));
    channel.on('exit', () => closed('exited'));
    channel.on('error', (err: Error) => closed(`failed (${err.message})`));
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Process group of the remote shell (see PRINT_PGID), known after init(). */
  pgid: string | undefined;

  /** Learns the shell's process group, so a timed-out command can be killed with it. */
  async init(): Promise<void> {
    const r = await this.runLine(PRINT_PGID);
    this.pgid = parsePgid(r.stdout);
  }

  /** Runs one command; only one may be in flight. */
  run(argv: readonly string[], stdin: Buffer | undefined): Promise<RawResult> {
    return this.runLine(commandLine(argv, stdin));
  }

  private runLine(line: string): Promise<RawResult> {
    if (this.closedFlag) return Promise.reject(new PeerUnreachable(this.peer, 'the remote shell is closed'));
    if (this.current) return Promise.reject(new Error('RemoteShell.run: a command is already running'));
    const marker = newMarker();
    const script = frameLine(line, marker);
    return new Promise<RawResult>((resolve, reject) => {
      this.current = { out: new MarkerStream(marker), err: new MarkerStream(marker), resolve, reject };
      this.channel.write(script);
    });
  }

  /** Drops the channel (used on timeout/abort); an in-flight command is rejected. */
  destroy(): void {
    if (!this.closedFlag) {
      this.closedFlag = true;
      const c = this.current;
      this.current = undefined;
      c?.reject(new PeerUnreachable(this.peer, 'the remote shell was closed'));
    }
    this.channel.destroy();
  }

  private feed(which: 'out' | 'err', data: Buffer): void {
    const c = this.current;
    if (!c) return;
    (which === 'out' ? c.out : c.err).push(data);
    if (!c.out.body || !c.err.body) return;
    this.current = undefined;
    const status = /^ (\d{1,3})$/.exec(c.out.trailer)?.[1];
    if (status === undefined) {
      c.reject(new PeerUnreachable(this.peer, `the remote shell sent a malformed status line "${c.out.trailer}"`));
      return;
    }
    c.resolve({ code: Number(status), stdout: c.out.body.toString('utf8'), stderr: c.err.body.toString('utf8') });
  }
}
