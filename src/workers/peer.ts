/**
 * The peer worker: runs on the peer itself (`peer-comms worker --peer <name>`) and serves the
 * task queue `<controller queue>@<name>` with the peer activities only (none of the controller's),
 * over a LocalShell (no SSH). Workflows stay on the controller; only the peer's own steps come here.
 * It also watches the peer's inbox folder and signals the matching job on a new phone-home.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createPeerActivities, type PeerDeps } from '../activities';
import { inboxDirOf } from '../activities/inbox';
import type { Config } from '../config/schema';
import { peerTaskQueue } from '../contracts/route';
import { LocalShell } from '../peer-access/local-shell';
import { codecOptions } from '../temporal/codec';
import { InboxWatcher } from './inbox-watcher';

export interface PeerWorkerOptions {
  config: Config;
  /** This machine's name in the peers file. */
  peer: string;
  connection: NativeConnection;
  client: Client;
  namespace: string;
  /** Home directory `~` stands for (default: the user's). */
  home?: string;
  /** How often the inbox is looked at (ms); 0 turns the watcher off. */
  inboxIntervalMs?: number;
  deps?: Partial<PeerDeps>;
  worker?: Partial<WorkerOptions>;
  log?: (line: string) => void;
}

/** Deps for activities that run on the peer itself: only this peer, over a LocalShell. */
export function peerDeps(config: Config, peer: string, shell: LocalShell): PeerDeps {
  return {
    config,
    shells: {
      get: (name) =>
        name === peer
          ? Promise.resolve(shell)
          : Promise.reject(new Error(`this is the peer worker of ${peer}; it does not serve ${name}`)),
    },
    now: () => Date.now(),
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
  };
}

export async function createPeerWorker(
  opts: PeerWorkerOptions,
): Promise<{ worker: Worker; taskQueue: string; watcher?: InboxWatcher; shell: LocalShell }> {
  const cfg = opts.config.peers[opts.peer];
  if (!cfg) {
    throw new Error(
      `unknown peer "${opts.peer}" (configured: ${Object.keys(opts.config.peers).join(', ')}); run the peer worker with the name this machine has in the peers file`,
    );
  }
  const taskQueue = peerTaskQueue(opts.config.controller.taskQueue, opts.peer);
  const shell = new LocalShell(opts.peer, { home: opts.home });
  const deps = { ...peerDeps(opts.config, opts.peer, shell), ...opts.deps };
  const worker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue,
    activities: createPeerActivities(deps), // never a controller activity: routing cannot send one here
    identity: `peer-comms peer worker ${opts.peer} (pid ${process.pid})`,
    ...(await codecOptions(opts.config)), // encryption at rest, when on
    ...opts.worker,
  });
  let watcher: InboxWatcher | undefined;
  if ((opts.inboxIntervalMs ?? 2000) > 0) {
    watcher = new InboxWatcher({
      client: opts.client,
      peer: opts.peer,
      dir: shell.resolvePath(inboxDirOf(opts.peer, cfg)),
      intervalMs: opts.inboxIntervalMs,
      log: opts.log,
    });
  }
  return { worker, taskQueue, watcher, shell };
}

/** Runs the peer worker (and its inbox watcher) until the signal aborts. */
export async function runPeerWorker(opts: PeerWorkerOptions, signal?: AbortSignal): Promise<void> {
  const { worker, watcher, shell } = await createPeerWorker(opts);
  const onAbort = () => worker.shutdown();
  signal?.addEventListener('abort', onAbort, { once: true });
  watcher?.start();
  try {
    await worker.run();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await watcher?.stop();
    await shell.close();
  }
}
