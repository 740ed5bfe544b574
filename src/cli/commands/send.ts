/** `peer-comms send <peer> [text]`: one directive to a peer's agent, followed until it visibly works on it. */
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit';
import { reportError } from '../stdio';

export function registerSend(program: Command, ctx: CommandContext): void {
  program
    .command('send')
    .description('send a directive to a peer and wait until its agent visibly works on it')
    .argument('<peer>', 'peer name from the config')
    .argument('[text]', 'the directive (or use --from-file)')
    .option(
      '-f, --from-file <file>',
      'read the directive from a file (UTF-8, or UTF-16 with a BOM; "-" reads standard input)',
    )
    .option('--heavy', 'stage the text as a file on the peer and paste it from there')
    .option('--light', 'pass the text in the command itself (one line, at most 2000 bytes)')
    .option('--queue', 'if the agent is busy, queue the text behind its work (exit 3) instead of waiting')
    .option(
      '--workload <kind>',
      'gpu: refused while a GPU is over its abort temperature; cpu (default): a rental peer waits for low load; none: never held back',
    )
    .option('--json', 'print one JSON object for scripts')
    .addHelpText('after', '\nA text that starts with "-" goes after "--": peer-comms send <peer> -- "-v is verbose"')
    .configureOutput({
      outputError: (message, write) => {
        write(message);
        if (/unknown option '-/.test(message)) {
          write('hint: a text that starts with "-" goes after "--": peer-comms send <peer> -- "-your text"\n');
        }
      },
    })
    .action(async (peerName: string, text: string | undefined, opts: Record<string, boolean | string | undefined>) => {
      // Everything that can be checked here is checked before connecting: bad input exits 2 with
      // nothing started, even when no Temporal server is running.
      const { modeOf, runSend, workloadOf } = await import('../send-command.js');
      const { checkPeerFiles, gatedText, peerOrUsage } = await import('../input-checks.js');
      const { choosePath } = await import('../../contracts/send.js');
      const { file, config } = await ctx.loadConfig();
      peerOrUsage(file, config, peerName);
      const sendOpts = { fromFile: opts.fromFile as string | undefined, heavy: !!opts.heavy, light: !!opts.light };
      const mode = modeOf(sendOpts);
      const workload = workloadOf(opts.workload as string | undefined);
      const body = await gatedText(text, sendOpts.fromFile);
      const path = choosePath(body, mode);
      if (typeof path !== 'string') throw new UsageError(`--light: ${path.error}`);
      await checkPeerFiles(file, config, peerName);
      const { client, connection, settings } = await ctx.connect();
      let code: number = EXIT.failed;
      try {
        const res = await runSend({
          client,
          settings,
          taskQueue: config.controller.taskQueue,
          peer: peerName,
          text: body,
          mode,
          queue: !!opts.queue,
          workload,
          json: !!opts.json,
        });
        code = res.exitCode;
      } catch (err) {
        // The start itself failed (Temporal refused it, the connection dropped): never a silent 0.
        const { TextRefused } = await import('../../client/send.js');
        code = err instanceof UsageError || err instanceof TextRefused ? EXIT.usage : EXIT.failed;
        reportError(err, `peer-comms: the send to ${peerName} did not start`);
      } finally {
        // Exit as soon as the answer is out.
        await ctx.exitNow(code, connection);
      }
    });
}
