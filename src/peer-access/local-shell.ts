/**
 * LocalShell: a PeerShell for a peer that is this machine (the peer worker, or a controller that
 * is also a peer). No shell at all: argv goes straight to child_process.spawn, files go through
 * node:fs. Works on Windows too (node:path, os.homedir(); `~\` is accepted beside `~/`).
 *
 * Same conventions as SshShell: relative paths and the working directory of commands are the
 * home directory; a command that cannot be started gives code 127 (not found) or 126 (not
 * executable) with the reason on stderr, as a shell would.
 */
import { Liveness } from './liveness';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { assertSafePath } from './paths';
import { PeerCommandTimeout, PeerFileNotFound, PeerUnreachable, abortError, describeCommand } from './shell';
import type { ExecOptions, ExecResult, FileStat, PeerShell, PeerShellLifecycle, WriteFileOptions } from './shell';

const DEFAULT_TIMEOUT_MS = 30_000;

export interface LocalShellOptions {
  /** Directory `~` stands for, and the working directory of commands. Default os.homedir(). */
  home?: string;
}

function errnoCode(err: unknown): string | undefined {
  const c = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof c === 'string' ? c : undefined;
}

export class LocalShell implements PeerShell, PeerShellLifecycle {
  private readonly home: string;
  private readonly life = new Liveness();
  /** Running commands, each with the function that kills it and rejects its promise. */
  private readonly running = new Map<ChildProcess, (e: Error) => void>();

  constructor(
    readonly peer = 'local',
    opts: LocalShellOptions = {},
  ) {
    this.home = opts.home ?? homedir();
  }

  get isAlive(): boolean {
    return this.life.alive;
  }

  onClose(listener: () => void): () => void {
    return this.life.onClose(listener);
  }

  /** The absolute local path for a peer path (`~`, `~/x`, `~\x`, relative = under home). */
  resolvePath(path: string): string {
    assertSafePath(this.peer, path);
    if (path === '~') return this.home;
    if (path.startsWith('~/') || path.startsWith('~\\')) return join(this.home, path.slice(2));
    if (path.startsWith('~')) throw new Error(`${this.peer}: path ${JSON.stringify(path)}: only "~/" is supported`);
    return isAbsolute(path) ? resolve(path) : resolve(this.home, path);
  }

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const [cmd, ...args] = argv;
    if (cmd === undefined || cmd === '') return Promise.reject(new Error('empty command'));
    if (argv.some((a) => a.includes('\0'))) {
      return Promise.reject(new Error('a command argument cannot contain a NUL byte'));
    }
    if (!this.life.alive) return Promise.reject(new PeerUnreachable(this.peer, 'the local shell is closed'));
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

    return new Promise<ExecResult>((resolvePromise, reject) => {
      const child = spawn(cmd, args, {
        shell: false,
        cwd: this.home,
        windowsHide: true,
        stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let done = false;
      const finish = (e: Error | undefined, r?: ExecResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.running.delete(child);
        if (e) reject(e);
        else resolvePromise(r!);
      };
      const stop = (e: Error): void => {
        child.kill('SIGKILL');
        finish(e);
      };
      const timer = setTimeout(
        () => stop(new PeerCommandTimeout(this.peer, describeCommand(argv), timeoutMs)),
        timeoutMs,
      );
      const onAbort = (): void => stop(abortError(signal!));
      this.running.set(child, stop);
      signal?.addEventListener('abort', onAbort, { once: true });

      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e: NodeJS.ErrnoException) => {
        // Could not start: answer like a shell would.
        const code = e.code === 'ENOENT' ? 127 : e.code === 'EACCES' ? 126 : null;
        if (code === null) finish(new PeerUnreachable(this.peer, `cannot run ${cmd}: ${e.message}`, { cause: e }));
        else finish(undefined, { code, stdout: '', stderr: `${cmd}: ${e.message}\n` });
      });
      child.on('close', (code: number | null) =>
        finish(undefined, {
          code: typeof code === 'number' ? code : null, // null: killed by a signal
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      );
      if (opts.stdin !== undefined && child.stdin) {
        child.stdin.on('error', () => undefined); // EPIPE when the command does not read it all
        child.stdin.end(opts.stdin);
      }
    });
  }

  async readFile(path: string): Promise<Buffer> {
    const p = this.resolvePath(path);
    try {
      return await readFile(p);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new PeerFileNotFound(this.peer, path);
      throw err;
    }
  }

  async writeFile(path: string, data: string | Buffer, opts: WriteFileOptions): Promise<void> {
    const target = this.resolvePath(path);
    const tmp = opts.atomic ? `${target}.tmp-${randomBytes(6).toString('hex')}` : target;
    try {
      const fh = await open(tmp, 'w', opts.mode);
      try {
        // The create mode is cut by the umask, and an existing file keeps its mode: set it
        // before any byte is written.
        await fh.chmod(opts.mode);
        await fh.writeFile(data);
      } finally {
        await fh.close();
      }
      if (opts.atomic) await rename(tmp, target);
    } catch (err) {
      if (opts.atomic) await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    const p = this.resolvePath(path);
    try {
      const st = await stat(p);
      return { size: st.size, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs };
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw err;
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const a = this.resolvePath(from);
    const b = this.resolvePath(to);
    try {
      await rename(a, b);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new PeerFileNotFound(this.peer, from);
      throw err;
    }
  }

  async mkdirp(path: string, mode = 0o755): Promise<void> {
    const p = this.resolvePath(path);
    const first = await mkdir(p, { recursive: true, mode });
    if (first === undefined) return;
    // mkdir's mode is cut by the umask: set it on each directory this call created.
    for (let d = p; d.startsWith(first); d = dirname(d)) {
      await chmod(d, mode);
      if (d === first || d === dirname(d)) break;
    }
  }

  close(): Promise<void> {
    this.life.close(() => {
      for (const stop of [...this.running.values()]) stop(new PeerUnreachable(this.peer, 'the local shell was closed'));
    });
    return Promise.resolve();
  }
}
