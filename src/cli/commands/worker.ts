/** `peer-comms worker [--peer <name>]`: the options and the peers file are checked here; src/workers/start-worker.ts runs it. */
import type { Command } from 'commander';
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
    .action(async (opts: { peer?: string; inboxInterval: string }) => {
      const { startWorker } = await import('../../workers/start-worker.js');
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
        connect: () => ctx.connect(),
        unlockKeys: (peers) => unlockKeys(file, config, peers),
        log: ctx.err,
      });
    });
}
