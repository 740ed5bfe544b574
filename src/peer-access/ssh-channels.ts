/**
 * Exec channels on one ssh2 connection, for an SshShell: opening one (again, a little later,
 * while sshd refuses new sessions), running a command on its own channel (the fallback to the
 * persistent shell), and killing a remote process group through a short extra channel.
 *
 * Closing a channel does not stop the remote process (and sshd keeps that session, one of its
 * MaxSessions, until the shell exits), so on timeout or abort the command's process group is
 * killed (killGroup). Those killed sessions take a moment to be reaped, so a channel sshd refuses
 * for want of a free session is opened again a few times (openChannel).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Client, ClientChannel } from 'ssh2';
import { ChannelSlots, collectExecChannel, execChannelCommand } from './exec-channel';
import { PeerUnreachable } from './shell';
import type { Job } from './ssh-job';

/** Exec channels open at once besides the shell and SFTP sessions (sshd MaxSessions is 10). */
const MAX_EXEC_CHANNELS = 4;
/** How long a killed exec channel is kept open for its process group line before it is dropped. */
const PGID_WAIT_MS = 5_000;
/** Tries at opening a channel while sshd refuses new sessions, OPEN_RETRY_MS × try apart (2.8 s in all). */
const OPEN_TRIES = 8;
const OPEN_RETRY_MS = 100;

/** sshd's answer to a session it will not open now (MaxSessions reached): "open failed". */
function isSessionRefused(err: unknown): boolean {
  return err instanceof Error && /Channel open failure: open failed/.test(err.message);
}

export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export class SshChannels {
  private readonly execSlots = new ChannelSlots(MAX_EXEC_CHANNELS);

  constructor(
    private readonly peer: string,
    private readonly client: Client,
    /** Whether the connection is still up. */
    private readonly alive: () => boolean,
  ) {}

  /**
   * An exec channel for `command`. sshd refuses a new session ("open failed") while its
   * MaxSessions are taken, which includes sessions of killed commands not yet reaped: that
   * refusal is tried again, a little later each time, while `wanted()` holds.
   */
  async openChannel(command: string, wanted: () => boolean = () => true): Promise<ClientChannel> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.openChannelOnce(command);
      } catch (err) {
        if (!isSessionRefused(err) || attempt >= OPEN_TRIES || !this.alive() || !wanted()) throw err;
        await delay(OPEN_RETRY_MS * attempt);
      }
    }
  }

  private openChannelOnce(command: string): Promise<ClientChannel> {
    return new Promise<ClientChannel>((resolve, reject) => {
      try {
        this.client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch)));
      } catch (err) {
        reject(toError(err)); // ssh2 throws synchronously when the socket is gone
      }
    });
  }

  /** Runs a job on a fresh exec channel of its own (at most MAX_EXEC_CHANNELS at once). */
  async runOnExecChannel(job: Job): Promise<void> {
    await this.execSlots.acquire();
    try {
      if (job.state !== 'running') return;
      let ch: ClientChannel;
      try {
        ch = await this.openChannel(execChannelCommand(job.argv), () => job.state === 'running');
      } catch (err) {
        const e = err as Error;
        const why = isSessionRefused(e)
          ? `sshd refused a new session ${OPEN_TRIES} times (${e.message}); its MaxSessions (10 by default) may be taken by commands still running there`
          : e.message;
        job.finish(new PeerUnreachable(this.peer, `cannot open an exec channel: ${why}`, { cause: e }));
        return;
      }
      await this.runOn(ch, job);
    } finally {
      this.execSlots.release();
    }
  }

  private async runOn(ch: ClientChannel, job: Job): Promise<void> {
    // The command may already run remotely, but its process group is known only once the
    // first stderr line arrives: a kill asked for before that waits for it (the channel
    // stays open, so the line can still arrive), else the command would outlive its timeout.
    let pgid: string | undefined;
    let pgidKnown = false;
    let killWanted = false;
    const killNow = (): void => {
      ch.destroy();
      this.killGroup(pgid);
    };
    job.kill = () => {
      if (pgidKnown) return killNow();
      killWanted = true;
      setTimeout(() => ch.destroy(), PGID_WAIT_MS).unref();
    };
    if (job.state !== 'running') job.kill(); // timed out or aborted while the channel opened
    const result = await collectExecChannel(ch, job.stdin, (g) => {
      pgid = g;
      pgidKnown = true;
      if (killWanted) killNow();
    });
    job.finish(undefined, result);
  }

  /**
   * Kills a remote process group (a timed-out command and the shell that ran it) through a
   * short exec channel. Closing a channel alone leaves the command running, and sshd keeps
   * its session (one of MaxSessions) until the shell exits. Best effort, never throws.
   */
  killGroup(pgid: string | undefined): void {
    if (pgid === undefined || !this.alive()) return;
    this.openChannel(`kill -KILL -- -${pgid}`).then(
      (ch) => {
        ch.on('error', () => undefined);
        ch.resume();
        ch.stderr.resume();
        setTimeout(() => ch.destroy(), 5000).unref();
        ch.end();
      },
      () => undefined,
    );
  }
}
