/** `peer-comms command <peer> <command...>`: one slash command from the peer's allow-list, typed durably. */
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit';
import { reportError } from '../stdio';

export function registerCommand(program: Command, ctx: CommandContext): void {
  program
    .command('command')
    .description("type one slash command (/compact, /clear, … from the peer's allow-list) into a peer's agent, durably")
    .argument('<peer>', 'peer name from the config')
    .argument('<command...>', 'the slash command and its words, e.g. /compact keep the test results')
    .option('--json', 'print one JSON object for scripts')
    .addHelpText(
      'after',
      `
Examples:
  peer-comms command gpu1 /compact keep the test results
  peer-comms command gpu1 /clear --json`,
    )
    .action(async (peerName: string, words: string[], opts: { json?: boolean }) => {
      const { commandLine, runCommand } = await import('../command-command.js');
      const { peerOrUsage, checkPeerFiles } = await import('../input-checks.js');
      const { file, config } = await ctx.loadConfig();
      peerOrUsage(file, config, peerName);
      const cfg = config.peers[peerName];
      if (!cfg) throw new UsageError(`unknown peer "${peerName}"`);
      const command = commandLine(words, peerName, cfg);
      await checkPeerFiles(file, config, peerName);
      const { client, connection, settings } = await ctx.connect();
      let code: number = EXIT.failed;
      try {
        code = await runCommand({
          client,
          settings,
          taskQueue: config.controller.taskQueue,
          peer: peerName,
          command,
          json: !!opts.json,
        });
      } catch (err) {
        reportError(err, `peer-comms: ${command} on ${peerName} did not start`);
      } finally {
        await ctx.exitNow(code, connection);
      }
    });
}
