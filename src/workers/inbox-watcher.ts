/**
 * The peer worker's inbox watcher: looks at `<workdir>/<inbox>/<host>/` on this machine every
 * few seconds and signals `phoneHome` to the running job(s) of this peer for each new or changed
 * `PHONE-HOME-<topic>.md`. A job that mentions its id in the file gets it alone; otherwise every
 * running job of the peer does (a job counts the same phone-home once, from a scan or a signal).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { INBOX_FILE_MAX_BYTES } from '../contracts/inbox';
import { topicFromFileName } from '../contracts/phone-home';
import { PEER_ATTR } from '../contracts/search-attributes';
import { phoneHomeSignal } from '../workflows/definitions';

export interface InboxWatcherOptions {
  client: Client;
  peer: string;
  /** The inbox folder of this peer, as a local absolute path. */
  dir: string;
  intervalMs?: number;
  log?: (line: string) => void;
}

export interface PhoneHomeDelivery {
  file: string;
  topic: string;
  jobs: string[];
}

/** The running peerJob workflows of a peer (visibility query). */
async function runningJobs(client: Client, peer: string): Promise<string[]> {
  const ids: string[] = [];
  const query = `WorkflowType = 'peerJob' AND ExecutionStatus = 'Running' AND ${PEER_ATTR.name} = '${peer}'`;
  for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids;
}

export class InboxWatcher {
  /** name → "size:mtime" of the files already signalled. */
  private readonly seen = new Map<string, string>();
  /** name → "size:mtime" of the files found while no job ran (said once, looked at again each time). */
  private readonly untold = new Map<string, string>();
  /** When files nobody could be told about were last offered to the running jobs. */
  private untoldCheckedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: InboxWatcherOptions) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.check()
        .then(() => undefined)
        .catch((err: unknown) => this.opts.log?.(`inbox watcher: ${String(err)}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs ?? 2000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One look: signals every new or changed phone-home; returns what it signalled. */
  async check(): Promise<PhoneHomeDelivery[]> {
    let names: string[];
    try {
      names = await readdir(this.opts.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: PhoneHomeDelivery[] = [];
    let jobs: string[] | undefined; // asked once per look, and only when a file is new
    // Files found while no job ran are offered again every 30 s, not on every look.
    const retryUntold = Date.now() - this.untoldCheckedAt >= 30_000;
    if (retryUntold) this.untoldCheckedAt = Date.now();
    for (const name of names.sort()) {
      const topic = topicFromFileName(name);
      if (!topic) continue;
      const path = join(this.opts.dir, name);
      const st = await stat(path).catch(() => undefined);
      if (!st?.isFile()) continue;
      const key = `${st.size}:${st.mtimeMs}`;
      if (this.seen.get(name) === key) continue;
      if (this.untold.get(name) === key && !retryUntold) continue;
      const text = (await readFile(path)).subarray(0, INBOX_FILE_MAX_BYTES).toString('utf8');
      jobs ??= await runningJobs(this.opts.client, this.opts.peer);
      const named = jobs.filter((id) => text.includes(id));
      const targets = named.length > 0 ? named : jobs;
      for (const jobId of targets) {
        await this.opts.client.workflow.getHandle(jobId).signal(phoneHomeSignal, { topic, text, file: path });
      }
      // With no job running yet the file stays unseen: a job started later is told on a later look.
      if (targets.length > 0) {
        this.seen.set(name, key);
        this.untold.delete(name);
        this.opts.log?.(`inbox watcher: ${name} → ${targets.join(', ')}`);
      } else if (this.untold.get(name) !== key) {
        this.untold.set(name, key);
        this.opts.log?.(`inbox watcher: ${name} found, but no running job of ${this.opts.peer} to tell`);
      }
      out.push({ file: path, topic, jobs: targets });
    }
    return out;
  }
}
