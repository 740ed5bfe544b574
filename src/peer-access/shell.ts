/**
 * PeerShell: everything the activities need from a peer, whether it is reached over SSH
 * (SshShell, one pooled connection) or is this machine (LocalShell, no shell at all).
 *
 * Commands are argv arrays. An implementation that has to go through a remote shell quotes
 * every element with `shQuote`, so no caller-supplied byte is ever interpreted by a shell.
 */
import { posixQuote } from '../config/quote';

export interface ExecOptions {
  /** Bytes for the command's standard input. */
  stdin?: string | Buffer;
  /** Our own deadline for the command (exec has none of its own). Default 30 s. */
  timeoutMs?: number;
  /** Aborts the command (the activity was cancelled). */
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Exit status; null when the command ended without one (killed, channel lost). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface FileStat {
  size: number;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  mtimeMs: number;
}

export interface WriteFileOptions {
  /** Permission bits the file is created with, e.g. 0o600. */
  mode: number;
  /** Write a temp file beside the target, then rename it over the target. */
  atomic?: boolean;
}

export interface PeerShell {
  /** Peer name from the config, for error messages. */
  readonly peer: string;
  /** Run argv[0] with arguments argv[1..]; never through an unquoted shell. */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Paths may start with `~/` (the peer user's home). Throws PeerFileNotFound when missing. */
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: string | Buffer, opts: WriteFileOptions): Promise<void>;
  /** null when the path does not exist. */
  stat(path: string): Promise<FileStat | null>;
  /** Atomic rename on the peer, replacing the target if it exists. */
  rename(from: string, to: string): Promise<void>;
  /** Create the directory and its parents (mode for the ones created). */
  mkdirp(path: string, mode?: number): Promise<void>;
  close(): Promise<void>;
}

export class PeerFileNotFound extends Error {
  constructor(
    readonly peer: string,
    readonly path: string,
  ) {
    super(`${peer}: no file at ${path}`);
    this.name = 'PeerFileNotFound';
  }
}

/** A command could not be run at all (connection lost, channel refused, deadline passed). */
export class PeerUnreachable extends Error {
  constructor(
    readonly peer: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${peer}: ${message}`, options);
    this.name = 'PeerUnreachable';
  }
}

/** The peer presented a host key that known_hosts does not vouch for. Never retried. */
export class HostKeyRejected extends Error {
  constructor(
    readonly peer: string,
    readonly fingerprint: string,
    readonly reason: 'unknown' | 'changed',
    message: string,
  ) {
    super(message);
    this.name = 'HostKeyRejected';
  }
}

/**
 * Quote one argument of a command a shell on the peer runs: config/quote.ts's posixQuote (bare
 * when safe, else single quotes), and a NUL refused, since no shell word can hold one and a
 * truncated argument would run a different command.
 */
export function shQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  return posixQuote(arg);
}

/** Quote a whole argv for a POSIX shell. */
export function shJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(shQuote).join(' ');
}

/**
 * SSH authentication failed: the peer refused the key and agent keys offered, or the key could not
 * be used (unreadable, wrong passphrase, a format ssh2 cannot read). Never retried.
 */
export class PeerAuthFailed extends Error {
  constructor(
    readonly peer: string,
    readonly user: string,
    /** Private key file that was offered, if any. */
    readonly privateKeyPath: string | undefined,
    detail: string,
    options?: {
      cause?: unknown;
      /** What was offered, e.g. "the key C:\Users\me\.ssh\id_ed25519 and Pageant". */
      tried?: string;
      /** What to do; default: the authorized_keys advice. */
      hint?: string;
    },
  ) {
    const tried = options?.tried ?? (privateKeyPath ? `the key ${privateKeyPath}` : 'the SSH agent keys');
    const hint =
      options?.hint ?? `The matching public key must be listed in ~${user}/.ssh/authorized_keys on the peer.`;
    const cause = options?.cause !== undefined ? { cause: options.cause } : undefined;
    super(`${peer}: SSH authentication as "${user}" failed (${detail}); tried ${tried}. ${hint}`, cause);
    this.name = 'PeerAuthFailed';
  }
}

/** Our own deadline for one command passed; the channel that ran it was destroyed. */
export class PeerCommandTimeout extends Error {
  constructor(
    readonly peer: string,
    /** argv[0] and argv[1] only: later arguments and stdin may hold secrets. */
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`${peer}: command "${command}" did not finish within ${timeoutMs} ms`);
    this.name = 'PeerCommandTimeout';
  }
}

/**
 * The host key is marked `@revoked` in known_hosts. A HostKeyRejected (reason 'changed': the
 * key on record does not vouch for it) that also says why.
 */
export class HostKeyRevoked extends HostKeyRejected {
  readonly revoked = true;
  constructor(peer: string, fingerprint: string, message: string) {
    super(peer, fingerprint, 'changed', message);
    this.name = 'HostKeyRevoked';
  }
}

/** The short command name used in errors and logs: argv[0] and argv[1], never the rest. */
export function describeCommand(argv: readonly string[]): string {
  return argv.slice(0, 2).join(' ');
}

/** Optional lifecycle a PeerShell may offer, so a pool can drop dead connections. */
export interface PeerShellLifecycle {
  /** False once the connection (or the shell) is closed. */
  readonly isAlive: boolean;
  /** Called once when the shell closes for any reason. Returns an unsubscribe function. */
  onClose(listener: () => void): () => void;
}

export function hasLifecycle(shell: PeerShell): shell is PeerShell & PeerShellLifecycle {
  const s = shell as Partial<PeerShellLifecycle>;
  return typeof s.isAlive === 'boolean' && typeof s.onClose === 'function';
}

/** The error an aborted command rejects with: the signal's reason when it is an Error, else an AbortError. */
export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error(typeof r === 'string' ? r : 'the operation was aborted');
  e.name = 'AbortError';
  return e;
}
