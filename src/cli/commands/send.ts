/**
 * `peer-comms send <peer> [text]`: one directive to a peer's agent, followed until it visibly
 * works on it. `send a,b,c [text]`, `send <group> [text]` and `send --all [text]` broadcast it:
 * one workflow, a child send per peer (broadcast-command.ts).
 */
import type { Command } from 'commander';
import type { SendMode, Workload } from '../../contracts/send';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit';
import { examplesText } from '../help-examples';
import { reportError } from '../stdio';

/** The examples in its --help. */
const EXAMPLES = [
  'peer-comms send gpu1 "run the test suite and report the failures"',
  'peer-comms send gpu1 -f directive.md --heavy',
  'peer-comms send gpus --queue "pull and rebuild"      (a group from peers.yaml)',
  'peer-comms send --all "git status, one line" --json',
];

export function registerSend(program: Command, ctx: CommandContext): void {
  program
    .command('send')
    .description('send a directive to a peer and wait until its agent visibly works on it')
    .argument('[peer]', 'peer name from the config; a,b,c, or a group from its groups:, broadcasts')
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
    .option('--all', 'broadcast to every peer in the config (the text is then the only argument)')
    .option('--json', 'print one JSON object for scripts')
    .addHelpText('after', '\nA text that starts with "-" goes after "--": peer-comms send <peer> -- "-v is verbose"')
    .addHelpText('after', examplesText(EXAMPLES))
    .configureOutput({
      outputError: (message, write) => {
        write(message);
        if (/unknown option '-/.test(message)) {
          write('hint: a text that starts with "-" goes after "--": peer-comms send <peer> -- "-your text"\n');
        }
      },
    })
    .action(
      async (
        first: string | undefined,
        text0: string | undefined,
        opts: Record<string, boolean | string | undefined>,
      ) => {
        // Everything that can be checked here is checked before connecting: bad input exits 2 with
        // nothing started, even when no Temporal server is running.
        const { modeOf, runSend, workloadOf } = await import('../send-command.js');
        const { checkPeerFiles, gatedText, peerOrUsage } = await import('../input-checks.js');
        const { choosePath } = await import('../../contracts/send.js');
        const { targetsOf } = await import('../broadcast-targets.js');
        const { file, config } = await ctx.loadConfig();
        const targets = targetsOf(file, config, first, text0, !!opts.all);
        if (targets.kind === 'single') peerOrUsage(file, config, targets.peer);
        const sendOpts = { fromFile: opts.fromFile as string | undefined, heavy: !!opts.heavy, light: !!opts.light };
        const mode = modeOf(sendOpts);
        const workload = workloadOf(opts.workload as string | undefined);
        // the input gate, once for all peers
        const body = await gatedText(targets.text, sendOpts.fromFile);
        const path = choosePath(body, mode);
        if (typeof path !== 'string') throw new UsageError(`--light: ${path.error}`);
        const peers = targets.kind === 'single' ? [targets.peer] : targets.peers;
        for (const peer of peers) await checkPeerFiles(file, config, peer);
        const job = { text: body, mode, queue: !!opts.queue, workload, json: !!opts.json };
        if (targets.kind === 'broadcast') return await broadcastAndExit(ctx, config.controller.taskQueue, peers, job);
        const peerName = targets.peer;
        const { client, connection, settings } = await ctx.connect();
        let code: number = EXIT.failed;
        try {
          const res = await runSend({
            client,
            settings,
            taskQueue: config.controller.taskQueue,
            peer: peerName,
            ...job,
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
      },
    );
}

/** A broadcast: one workflow, a child send per peer; the exit code is the worst peer's. */
async function broadcastAndExit(
  ctx: CommandContext,
  taskQueue: string,
  peers: string[],
  job: { text: string; mode: SendMode; queue: boolean; workload: Workload | undefined; json: boolean },
): Promise<void> {
  const { runBroadcast } = await import('../broadcast-command.js');
  const { client, connection, settings } = await ctx.connect();
  let code: number = EXIT.failed;
  try {
    code = (await runBroadcast({ client, settings, taskQueue, peers, ...job })).exitCode;
  } catch (err) {
    const { TextRefused } = await import('../../client/send.js');
    code = err instanceof UsageError || err instanceof TextRefused ? EXIT.usage : EXIT.failed;
    reportError(err, `peer-comms: the broadcast to ${peers.join(', ')} did not start`);
  } finally {
    await ctx.exitNow(code, connection);
  }
}
