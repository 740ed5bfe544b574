/** `peer-comms agent-settings <peer>`: the receipt hook for a peer's agent, shown or installed (its key unlocked first). */
import type { Command } from 'commander';
import type { CommandContext } from '../context';

export function registerAgentSettings(program: Command, ctx: CommandContext): void {
  program
    .command('agent-settings')
    .description(
      "the receipt hook for a peer's agent: its settings file, event log and the --settings flag for your own unit or tmux command",
    )
    .argument('<peer>')
    .option('--install', 'write (or refresh) the hook script and the settings file on the peer (0600)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  peer-comms agent-settings gpu1
  peer-comms agent-settings gpu1 --install`,
    )
    .action(async (peerName: string, opts: { install?: boolean; json?: boolean }) => {
      const { agentSettingsNow } = await import('../agent-settings-command.js');
      const { unlockKeys } = await import('../key-unlock.js');
      const { file, config } = await ctx.loadConfig();
      ctx.requirePeer(config, peerName);
      await unlockKeys(file, config, [peerName]);
      process.exitCode = await agentSettingsNow(config, peerName, { install: !!opts.install, json: !!opts.json });
    });
}
