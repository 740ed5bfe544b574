/**
 * The composition root of `peer-comms worker`: the Temporal runtime, key passphrases (controller
 * only, before anything starts), the client and the worker's native connection, the search
 * attributes, then the controller worker or a peer worker (with its inbox watcher) until
 * SIGINT/SIGTERM; both connections are closed at the end. The CLI checks the options and the
 * peers file first, and lends its connect (codec, readable failure) and its passphrase prompt.
 */
import type { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/schema';
import { peerTaskQueue } from '../contracts/route';
import type { TemporalSettings } from '../temporal/connection';
import { installRuntime, type RuntimeOptions } from '../temporal/runtime';
import {
  ensureSearchAttributes,
  searchAttributesUncheckedLine,
  SearchAttributesMissing,
} from '../temporal/search-attributes';
import { connectWorker } from '../temporal/worker-connection';

export interface WorkerStartup {
  config: Config;
  /** The peers file the config came from (named in the start line). */
  file: string;
  /** This machine's peer name: a peer worker; absent: the controller worker. */
  peer?: string;
  /** Peer worker: how often the inbox folder is looked at (0 = off). */
  inboxIntervalMs: number;
  /** Connects the client (the CLI's: the codec, a readable line when Temporal is not there). */
  connect: () => Promise<{ client: Client; connection: Connection; settings: TemporalSettings }>;
  /** Gets the passphrases of the named peers' keys now (from their variables, or asked). */
  unlockKeys: (peers: string[]) => Promise<void>;
  log: (line: string) => void;
  /** --metrics and --log-format (default: PEER_COMMS_METRICS, PEER_COMMS_LOG_FORMAT). */
  runtime?: RuntimeOptions;
}

export async function startWorker(s: WorkerStartup): Promise<void> {
  const logger = installRuntime(s.runtime);
  // with json logs, the worker's own lines are json too
  const log =
    logger.format === 'json'
      ? (line: string) =>
          logger.print(line.startsWith('warning: ') ? 'WARN' : 'INFO', line, { sdkComponent: 'peer-comms' })
      : s.log;
  // Key passphrases are asked now, before anything starts, not when an activity first connects.
  if (s.peer === undefined) await s.unlockKeys(Object.keys(s.config.peers));
  const { client, connection, settings } = await s.connect();
  await ensureSearchAttributes(connection, settings.namespace, settings.address).catch((err: unknown) => {
    if (err instanceof SearchAttributesMissing) throw err; // missing, and not addable from here (Cloud): say how
    log(searchAttributesUncheckedLine(err, settings.address, settings.namespace));
  });
  const { connection: nativeConnection } = await connectWorker();
  const ac = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
  const where = `on ${settings.address}/${settings.namespace}`;
  const queue = s.config.controller.taskQueue;
  try {
    if (s.peer !== undefined) {
      const { runPeerWorker } = await import('./peer.js');
      log(`peer worker: ${s.peer} from ${s.file}; task queue "${peerTaskQueue(queue, s.peer)}" ${where}`);
      const opts = { config: s.config, peer: s.peer, connection: nativeConnection, client };
      await runPeerWorker(
        { ...opts, namespace: settings.namespace, inboxIntervalMs: s.inboxIntervalMs, log },
        ac.signal,
      );
    } else {
      const { runControllerWorker } = await import('./controller.js');
      log(`worker: ${Object.keys(s.config.peers).length} peer(s) from ${s.file}; task queue "${queue}" ${where}`);
      const opts = { config: s.config, connection: nativeConnection, client, namespace: settings.namespace };
      await runControllerWorker(opts, ac.signal);
    }
  } finally {
    await nativeConnection.close();
    await connection.close();
  }
}
