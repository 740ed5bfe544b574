/** `peer-comms preflight <peer>`: one peer checked from here (over SSH or locally), its key unlocked first. */
import type { Command } from 'commander';
import type { CommandContext } from '../context';

export function registerPreflight(program: Command, ctx: CommandContext): void {
  program
    .command('preflight')
    .description('check a peer: reachability, tmux session, token expiry, GPUs, disk, load')
    .argument('<peer>')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  peer-comms preflight gpu1
  peer-comms preflight gpu1 --json`,
    )
    .action(async (peerName: string, opts: { json?: boolean }) => {
      const { preflightNow } = await import('../preflight-command.js');
      const { unlockKeys } = await import('../key-unlock.js');
      const { file, config } = await ctx.loadConfig();
      ctx.requirePeer(config, peerName);
      await unlockKeys(file, config, [peerName]);
      process.exitCode = await preflightNow(config, peerName, !!opts.json);
    });
}
