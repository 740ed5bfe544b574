/**
 * SshShell: a PeerShell over one ssh2 connection.
 *
 * Commands go through ONE persistent remote `/bin/sh` (see remote-shell.ts), one at a time in
 * call order: a command then costs a round trip instead of a new session (~0.1 s each).
 * A fresh exec channel is used instead for stdin above 256 KiB, or while the persistent shell
 * cannot be opened. Files go through one kept SFTP session (ssh-sftp.ts).
 *
 * Outcomes of exec: resolves with the exit status; PeerCommandTimeout when our deadline passes
 * (the channel is destroyed, the next command opens a new shell); the signal's reason when
 * aborted; PeerUnreachable when the connection or the persistent shell is lost mid-command
 * (the command may or may not have run). On the exec-channel path a channel that closes
 * without an exit status resolves with `code: null`, never as success.
 *
 * Closing a channel does not stop the remote process (and sshd keeps that session, one of its
 * MaxSessions, until the shell exits), so on timeout or abort the command's process group is
 * killed through a short extra exec channel. That group is the sshd session's: it holds the
 * command and anything the shell's commands left running in the background, but not daemons
 * that detached themselves (a tmux server, a systemd unit). A command that must not be cut off mid-way should carry its own
 * shorter deadline (coreutils `timeout`). Those killed sessions take a moment to be reaped, so a
 * channel sshd refuses for want of a free session is opened again a few times (both in
 * ssh-channels.ts). A job's deadline and abort signal are wired in ssh-job.ts.
 */
import type { Client } from 'ssh2';
import { Liveness } from './liveness';
import { MAX_INLINE_STDIN, RemoteShell } from './remote-shell';
import { SshChannels, toError } from './ssh-channels';
import { connectClient } from './ssh-connect';
import type { SshTarget } from './ssh-connect';
import { guardJob, newJob, type Job } from './ssh-job';
import { SftpFiles } from './ssh-sftp';
import { PeerUnreachable, shJoin } from './shell';
import type { ExecOptions, ExecResult, FileStat, PeerShell, PeerShellLifecycle, WriteFileOptions } from './shell';

export type { SshTarget } from './ssh-connect';

/** After the persistent shell failed to open, use exec channels for this long before retrying. */
const SHELL_RETRY_MS = 30_000;

export class SshShell implements PeerShell, PeerShellLifecycle {
  readonly peer: string;
  private readonly life = new Liveness();
  private readonly files: SftpFiles;

  private shell: RemoteShell | undefined;
  private shellOpening: Promise<RemoteShell | undefined> | undefined;
  private shellRetryAt = 0;
  private readonly queue: Job[] = [];
  private pumping = false;

  private readonly channels: SshChannels;

  private constructor(
    target: SshTarget,
    private readonly client: Client,
  ) {
    this.peer = target.peer;
    this.files = new SftpFiles(this.peer, client, () => this.life.alive);
    this.channels = new SshChannels(this.peer, client, () => this.life.alive);
    client.on('error', () => undefined); // connectClient's listener stays too; 'close' follows
    client.on('close', () => this.markClosed());
    client.on('end', () => this.markClosed());
  }

  /** Connects, verifies the host key and authenticates. See ssh-connect.ts for the errors. */
  static async connect(target: SshTarget): Promise<SshShell> {
    const client = await connectClient(target);
    const shell = new SshShell(target, client);
    // Open the persistent shell now so the first command does not pay for it; a failure here
    // only means the first command will try again (or fall back to exec channels).
    await shell.getShell();
    return shell;
  }

  get isAlive(): boolean {
    return this.life.alive;
  }

  onClose(listener: () => void): () => void {
    return this.life.onClose(listener);
  }

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    try {
      shJoin(argv); // empty argv or a NUL byte: refuse before anything is sent
    } catch (err) {
      return Promise.reject(toError(err));
    }
    const stdin =
      opts.stdin === undefined ? undefined : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin, 'utf8');
    const job = newJob(argv, stdin);
    const done = guardJob(this.peer, job, opts);
    if (job.state === 'done') return done;
    if (!this.life.alive) {
      job.finish(new PeerUnreachable(this.peer, 'the SSH connection is closed'));
    } else if (stdin !== undefined && stdin.length > MAX_INLINE_STDIN) {
      job.state = 'running';
      void this.channels.runOnExecChannel(job);
    } else {
      this.queue.push(job);
      void this.pump();
    }
    return done;
  }

  readFile(path: string): Promise<Buffer> {
    return this.files.readFile(path);
  }

  writeFile(path: string, data: string | Buffer, opts: WriteFileOptions): Promise<void> {
    return this.files.writeFile(path, data, opts);
  }

  stat(path: string): Promise<FileStat | null> {
    return this.files.stat(path);
  }

  rename(from: string, to: string): Promise<void> {
    return this.files.rename(from, to);
  }

  mkdirp(path: string, mode?: number): Promise<void> {
    return this.files.mkdirp(path, mode);
  }

  async close(): Promise<void> {
    if (!this.life.alive) return;
    const closed = new Promise<void>((resolve) => {
      this.client.once('close', () => resolve());
      setTimeout(resolve, 2000).unref();
    });
    this.shell?.destroy();
    this.files.close();
    this.client.end();
    await closed;
    this.client.destroy();
    this.markClosed();
  }

  // --- lifecycle -------------------------------------------------------------------------

  private markClosed(): void {
    this.life.close(() => {
      const shell = this.shell;
      this.shell = undefined;
      shell?.destroy(); // rejects a command in flight with PeerUnreachable
      for (const job of this.queue.splice(0)) {
        job.finish(new PeerUnreachable(this.peer, 'the SSH connection closed before the command ran'));
      }
    });
  }

  // --- the persistent shell --------------------------------------------------------------

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        if (job.state !== 'queued') continue;
        job.state = 'running';
        const shell = await this.getShell();
        if (job.state !== 'running') continue; // timed out or aborted while the shell opened
        if (!shell) {
          await this.channels.runOnExecChannel(job);
          continue;
        }
        job.kill = () => {
          if (this.shell === shell) this.shell = undefined;
          shell.destroy();
          this.channels.killGroup(shell.pgid);
        };
        try {
          const r = await shell.run(job.argv, job.stdin);
          job.finish(undefined, r);
        } catch (err) {
          job.finish(err as Error);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The persistent shell, opened on demand; undefined when it cannot be opened right now. */
  private getShell(): Promise<RemoteShell | undefined> {
    if (this.shell && !this.shell.closed) return Promise.resolve(this.shell);
    if (!this.life.alive || Date.now() < this.shellRetryAt) return Promise.resolve(undefined);
    if (this.shellOpening) return this.shellOpening;
    const opening = this.channels
      .openChannel('/bin/sh')
      .then(async (ch) => {
        const shell = new RemoteShell(this.peer, ch, () => {
          if (this.shell === shell) this.shell = undefined;
        });
        await shell.init();
        this.shell = this.life.alive ? shell : undefined;
        if (!this.life.alive) shell.destroy();
        return this.shell;
      })
      .catch(() => {
        this.shellRetryAt = Date.now() + SHELL_RETRY_MS;
        return undefined;
      });
    this.shellOpening = opening;
    void opening.finally(() => {
      if (this.shellOpening === opening) this.shellOpening = undefined;
    });
    return opening;
  }
}
