/**
 * `peer-comms demo`: the embedded default end to end. Starts (or reuses) the Temporal dev
 * server, sets up a local peer (tmux + the stand-in agent), runs a controller worker in this
 * process, sends a directive and shows the ack with the Web UI link.
 */
import { join } from 'node:path';
import { userStateDir } from '../config/paths';
import { setUpLocalPeer } from '../demo/local-peer';
import { codecFromEnv } from '../temporal/codec';
import { startDevServer } from '../temporal/dev-server';
import { connectClient } from '../temporal/connection';
import { connectWorker } from '../temporal/worker-connection';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { installRuntime } from '../temporal/runtime';
import { createControllerWorker } from '../workers/controller';
import { refuseDemoOnWindows, temporalCliFor } from './dev-preconditions';
import { runSend } from './send-command';

const DEMO_TEXT = [
  'Context: this is the peer-comms demo; nothing else is running on this peer.',
  'Goal: acknowledge this directive so the controller sees a visible-processing ack — quotes \' " ` $(not run) stay literal.',
  'Phases: 1) read this 2) say you are working on it. Verify gate: the controller sees you working.',
  'Budget: 1 minute, no tokens. Commit nothing.',
].join('\n');

export async function demo(opts: {
  port: number;
  text?: string;
  json: boolean;
  /** false: never download the Temporal CLI (`--no-download`). */
  download?: boolean;
}): Promise<number> {
  refuseDemoOnWindows(); // first: one line, nothing started, no state folder
  installRuntime();
  const stateDir = userStateDir();
  const log = (l: string) => process.stderr.write(`${l}\n`);
  log(`peer-comms demo — state in ${stateDir}`);
  const encrypted = await codecFromEnv(); // bad keys: exit 2 before anything starts
  if (encrypted) {
    log(
      `  encryption at rest: on (key ${encrypted.currentKeyId}); \`peer-comms codec-server\` lets the Web UI show payloads`,
    );
  }
  // No Temporal CLI (and no download): exit 2 before the state folder is made.
  const bin = await temporalCliFor(opts.port, { download: opts.download, log: (l) => log(`  ${l}`) });
  const dev = await startDevServer({ stateDir: join(stateDir, 'dev-server'), port: opts.port, detached: true, bin });
  log(
    dev.startedHere
      ? `  started the Temporal dev server on ${dev.address} (pid ${dev.pid}; it keeps running for the Web UI: ${dev.uiUrl})`
      : `  using the Temporal server already listening on ${dev.address}`,
  );
  process.env.TEMPORAL_ADDRESS = dev.address;
  process.env.TEMPORAL_NAMESPACE ??= 'default';
  const { client, connection, settings } = await connectClient();
  await ensureSearchAttributes(connection, settings.namespace);
  const peer = setUpLocalPeer(stateDir);
  log(`  local peer "${peer.name}": tmux -L ${peer.socket} session ${peer.session} running the stand-in agent`);
  const { connection: workerConnection } = await connectWorker();
  const taskQueue = 'peer-comms-demo';
  const { worker, pool } = await createControllerWorker({
    config: peer.config,
    connection: workerConnection,
    client,
    namespace: settings.namespace,
    taskQueue,
    worker: { shutdownGraceTime: '2 seconds' },
  });
  try {
    const res = await worker.runUntil(
      runSend({
        client,
        settings,
        taskQueue,
        peer: peer.name,
        text: opts.text ?? DEMO_TEXT,
        mode: 'auto',
        queue: false,
        json: opts.json,
      }),
    );
    if (!opts.json) {
      log(`\n  Web UI:      ${res.url}`);
      log(`  watch it:    tmux -L ${peer.socket} attach -t ${peer.session}   (detach: C-b d)`);
      log(`  prompt log:  ${peer.promptLog}`);
    }
    return res.exitCode;
  } finally {
    await pool.closeAll();
    await workerConnection.close();
    await connection.close();
  }
}
