/**
 * File operations over one lazily opened SFTP session that is kept for the connection's life
 * (one session, so the server's MaxSessions is not eaten up). `~/` paths are relative to the
 * SFTP login home; `..` segments and NUL bytes are refused.
 */
import { randomBytes } from 'node:crypto';
import type { Client, SFTPWrapper } from 'ssh2';
import { sftpPath } from './paths';
import { PeerFileNotFound, PeerUnreachable } from './shell';
import type { FileStat, WriteFileOptions } from './shell';

/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
const SFTP_NO_SUCH_FILE = 2;

type SftpError = Error & { code?: unknown };
type Cb<T> = (err: SftpError | null | undefined, value: T) => void;

function call<T>(fn: (cb: Cb<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value)));
  });
}

function isMissing(err: unknown): boolean {
  return (err as SftpError | undefined)?.code === SFTP_NO_SUCH_FILE;
}

const WRITE_CHUNK = 256 * 1024;

export class SftpFiles {
  private session: Promise<SFTPWrapper> | undefined;
  private sftp: SFTPWrapper | undefined;

  constructor(
    private readonly peer: string,
    private readonly client: Client,
    private readonly isAlive: () => boolean,
  ) {}

  async readFile(path: string): Promise<Buffer> {
    const p = sftpPath(this.peer, path);
    const sftp = await this.open();
    try {
      return await call<Buffer>((cb) => sftp.readFile(p, cb));
    } catch (err) {
      throw this.wrap('read', path, err, true);
    }
  }

  async writeFile(path: string, data: string | Buffer, opts: WriteFileOptions): Promise<void> {
    const target = sftpPath(this.peer, path);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const sftp = await this.open();
    const tmp = opts.atomic ? `${target}.tmp-${randomBytes(6).toString('hex')}` : target;
    try {
      await this.writeWhole(sftp, tmp, buf, opts.mode);
      if (opts.atomic) await call<void>((cb) => sftp.ext_openssh_rename(tmp, target, (e) => cb(e, undefined)));
    } catch (err) {
      if (opts.atomic) await call<void>((cb) => sftp.unlink(tmp, (e) => cb(e, undefined))).catch(() => undefined);
      throw this.wrap('write', path, err, false);
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    const p = sftpPath(this.peer, path);
    const sftp = await this.open();
    try {
      const st = await call<{ size: number; mode: number; mtime: number }>((cb) => sftp.stat(p, cb));
      return { size: st.size, mode: st.mode & 0o7777, mtimeMs: st.mtime * 1000 };
    } catch (err) {
      if (isMissing(err)) return null;
      throw this.wrap('stat', path, err, false);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const a = sftpPath(this.peer, from);
    const b = sftpPath(this.peer, to);
    const sftp = await this.open();
    try {
      // posix-rename@openssh.com replaces an existing target; plain SFTP rename refuses to.
      await call<void>((cb) => sftp.ext_openssh_rename(a, b, (e) => cb(e, undefined)));
    } catch (err) {
      throw this.wrap('rename', from, err, true, ` to ${to}`);
    }
  }

  async mkdirp(path: string, mode = 0o755): Promise<void> {
    const p = sftpPath(this.peer, path);
    const sftp = await this.open();
    const absolute = p.startsWith('/');
    const parts = p.split('/').filter((s) => s !== '' && s !== '.');
    let prefix = absolute ? '' : '.';
    for (const part of parts) {
      prefix = `${prefix}/${part}`;
      const dir = absolute ? prefix : prefix.slice(2);
      const st = await call<{ isDirectory(): boolean }>((cb) => sftp.stat(dir, cb)).catch((err: unknown) => {
        if (isMissing(err)) return undefined;
        throw this.wrap('stat', dir, err, false);
      });
      if (st) {
        if (!st.isDirectory())
          throw new Error(`${this.peer}: cannot create directory ${path}: ${dir} is not a directory`);
        continue;
      }
      try {
        await call<void>((cb) => sftp.mkdir(dir, { mode }, (e) => cb(e, undefined)));
        // The server's umask cuts the mode: set it on the directory we created.
        await call<void>((cb) => sftp.chmod(dir, mode, (e) => cb(e, undefined)));
      } catch (err) {
        // Lost a race with another creator? Fine if it is a directory now.
        const again = await call<{ isDirectory(): boolean }>((cb) => sftp.stat(dir, cb)).catch(() => undefined);
        if (!again?.isDirectory()) throw this.wrap('mkdir', dir, err, false);
      }
    }
  }

  close(): void {
    this.sftp?.end();
    this.sftp = undefined;
    this.session = undefined;
  }

  private async writeWhole(sftp: SFTPWrapper, p: string, buf: Buffer, mode: number): Promise<void> {
    const handle = await call<Buffer>((cb) => sftp.open(p, 'w', { mode }, cb));
    try {
      // The server applies its umask to the create mode, and an existing file keeps its old
      // mode: set it explicitly before any byte is written.
      await call<void>((cb) => sftp.fchmod(handle, mode, (e) => cb(e, undefined)));
      for (let off = 0; off < buf.length;) {
        const len = Math.min(WRITE_CHUNK, buf.length - off);
        await call<void>((cb) => sftp.write(handle, buf, off, len, off, (e) => cb(e, undefined)));
        off += len;
      }
    } finally {
      await call<void>((cb) => sftp.close(handle, (e) => cb(e, undefined))).catch(() => undefined);
    }
  }

  private open(): Promise<SFTPWrapper> {
    if (this.session) return this.session;
    if (!this.isAlive()) return Promise.reject(new PeerUnreachable(this.peer, 'the SSH connection is closed'));
    let failed = false;
    const session: Promise<SFTPWrapper> = new Promise<SFTPWrapper>((resolve, reject) => {
      const fail = (err: Error): void => {
        failed = true;
        if (this.session === session) this.session = undefined;
        reject(new PeerUnreachable(this.peer, `cannot open an SFTP session: ${err.message}`, { cause: err }));
      };
      try {
        this.client.sftp((err, sftp) => {
          if (err) return fail(err);
          sftp.on('error', () => undefined); // reported through the pending calls
          sftp.on('close', () => {
            if (this.session === session) {
              this.session = undefined;
              this.sftp = undefined;
            }
          });
          this.sftp = sftp;
          resolve(sftp);
        });
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err))); // ssh2 throws synchronously when the socket is gone
      }
    });
    if (!failed) this.session = session;
    return session;
  }

  private wrap(op: string, path: string, err: unknown, missingIsNotFound: boolean, extra = ''): Error {
    if (missingIsNotFound && isMissing(err)) return new PeerFileNotFound(this.peer, path);
    const e = err as SftpError;
    if (!this.isAlive()) {
      return new PeerUnreachable(this.peer, `SFTP ${op} ${path}${extra} failed: connection lost`, { cause: e });
    }
    return new Error(`${this.peer}: SFTP ${op} ${path}${extra} failed: ${e.message}`, { cause: e });
  }
}
