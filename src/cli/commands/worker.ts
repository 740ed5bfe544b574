/** `peer-comms worker [--peer <name>]`: the options and the peers file are checked here; src/workers/start-worker.ts runs it. */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context';
import { UsageError } from '../exit';

export function registerWorker(program: Command, ctx: CommandContext): void {
  program
    .command('worker')
    .description('run the controller worker (serves the "peer-comms" task queue), or with --peer a peer worker')
    .option(
      '--peer <name>',
      'run on the peer itself: serve "peer-comms@<name>" over local tmux (no SSH) and watch its inbox',
    )
    .option('--inbox-interval <duration>', 'peer worker: how often the inbox folder is looked at (0 = off)', '2s')
    .addOption(
      new Option(
        '--metrics <host:port>',
        'serve the Temporal SDK metrics for Prometheus at http://<host:port>/metrics',
      ).env('PEER_COMMS_METRICS'),
    )
    .addOption(
      new Option('--log-format <format>', 'worker log lines: text, or json (one object per line)')
        .choices(['text', 'json'])
        .env('PEER_COMMS_LOG_FORMAT'),
    )
    .addHelpText(
      'after',
      `
Examples:
  peer-comms worker                       (the controller worker, beside the Temporal server)
  peer-comms worker --peer gpu1           (on gpu1 itself: local tmux, its inbox watched)
  TEMPORAL_ADDRESS=controller.lan:7233 peer-comms worker --peer gpu1 --inbox-interval 5s`,
    )
    .action(async (opts: { peer?: string; inboxInterval: string; metrics?: string; logFormat?: string }) => {
      const { startWorker } = await import('../../workers/start-worker.js');
      const runtime = await runtimeOptions(opts);
      const { parseDuration } = await import('../../config/duration.js');
      const { file, config } = await ctx.loadConfig();
      // Windows cannot serve via: local peers (no tmux): say so before connecting to anything.
      if (opts.peer === undefined) (await import('../dev-preconditions.js')).refuseLocalPeersOnWindows(config, file);
      let inboxIntervalMs: number;
      try {
        inboxIntervalMs = parseDuration(opts.inboxInterval);
      } catch (err) {
        throw new UsageError(`--inbox-interval: ${(err as Error).message}`);
      }
      if (opts.peer !== undefined) ctx.requirePeer(config, opts.peer);
      const { unlockKeys } = await import('../key-unlock.js');
      await startWorker({
        config,
        file,
        peer: opts.peer,
        inboxIntervalMs,
        runtime,
        connect: () => ctx.connect(),
        unlockKeys: (peers) => unlockKeys(file, config, peers),
        log: ctx.err,
      });
    });
}

/** --metrics and --log-format checked before anything starts (a bad one: exit 2). */
async function runtimeOptions(opts: { metrics?: string; logFormat?: string }) {
  const { parseLogFormat, resolveRuntimeOptions } = await import('../../temporal/runtime.js');
  try {
    return resolveRuntimeOptions({
      metrics: opts.metrics,
      logFormat: opts.logFormat === undefined ? undefined : parseLogFormat(opts.logFormat),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
