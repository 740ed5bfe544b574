/** `peer-comms peers`: the configured peers, one line each (the config is validated on the way). */
import type { Command } from 'commander';
import type { Config } from '../../config/schema';
import type { CommandContext } from '../context';

export function registerPeers(program: Command, ctx: CommandContext): void {
  program
    .command('peers')
    .description('list the configured peers (and validate the config)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  peer-comms peers
  peer-comms -c ~/peers.yaml peers --json`,
    )
    .action(async (opts: { json?: boolean }) => {
      const { file, config } = await ctx.loadConfig();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ file, peers: config.peers }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${file}: ${Object.keys(config.peers).length} peer(s), config valid\n`);
      for (const [name, peer] of Object.entries(config.peers)) {
        process.stdout.write(`${peerLine(config.controller.taskQueue, name, peer)}\n`);
      }
    });
}

/** One peer: its name, where it runs, its tmux target, recovery and policies. */
function peerLine(taskQueue: string, name: string, p: Config['peers'][string]): string {
  const where =
    p.via === 'local'
      ? 'this machine'
      : p.via === 'worker'
        ? `worker ${taskQueue}@${name}`
        : `${p.user}@${p.host}:${p.port}`;
  const policy = [
    p.rental ? `rental (load ≤ ${p.rental.maxLoadAverage})` : '',
    p.gpu.powerLimitW ? `GPU ${p.gpu.powerLimitW} W` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `  ${name.padEnd(16)} ${where.padEnd(32)} tmux ${p.tmux.target}  recovery ${p.recovery.method}${policy ? `  ${policy}` : ''}`;
}
