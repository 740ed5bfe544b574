/** `peer-comms demo`: the embedded default, dev server + a local stand-in agent + one send. */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context';

export function registerDemo(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .description('the embedded default: dev server + a local peer running a stand-in agent + one send')
    .addOption(new Option('--port <port>', 'Temporal frontend port').default('7233'))
    .option('--text <text>', 'the directive to send')
    .option('--json', 'print one JSON object')
    .option('--no-download', 'never download the Temporal CLI (also PEER_COMMS_TEMPORAL_DOWNLOAD=never)')
    .addHelpText(
      'after',
      `
Examples:
  peer-comms demo
  peer-comms demo --text "say hello" --json`,
    )
    .action(async (opts: { port: string; text?: string; json?: boolean; download: boolean }) => {
      const { demo } = await import('../demo.js');
      process.exitCode = await demo({
        port: Number(opts.port),
        text: opts.text,
        json: !!opts.json,
        download: opts.download,
      });
      // Done: exit now rather than wait on gRPC channels still closing (the dev server keeps running).
      await ctx.exitNow();
    });
}
