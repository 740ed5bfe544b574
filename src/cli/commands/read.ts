/** `peer-comms peek|inbox|log <peer>`: read-only looks at a peer (its pane, its inbox, its git log). */
import type { Command } from 'commander';
import type { CommandContext } from '../context';

const READS = [
  ['peek', "the last lines of the peer agent's pane and its screen state (idle, working, …)"],
  ['inbox', "the peer's inbox: phone-homes, DONE markers, resolved/"],
  ['log', "recent commits, branch and git status of the peer's working directory"],
] as const;

/** The examples in each one's --help. */
const EXAMPLES: Record<(typeof READS)[number][0], string[]> = {
  peek: ['peer-comms peek gpu1', 'peer-comms peek gpu1 -n 200 --json'],
  inbox: ['peer-comms inbox gpu1', 'peer-comms inbox gpu1 --json'],
  log: ['peer-comms log gpu1', 'peer-comms log gpu1 -n 30 --json'],
};

export function registerReads(program: Command, ctx: CommandContext): void {
  for (const [what, description] of READS) {
    const cmd = program.command(what).description(`${description} (read-only)`).argument('<peer>');
    if (what === 'peek') cmd.option('-n, --lines <n>', 'how many lines from the end of the pane', '50');
    if (what === 'log') cmd.option('-n, --count <n>', 'how many commits', '10');
    cmd
      .option('--json', 'print JSON')
      .addHelpText('after', `\nExamples:\n${EXAMPLES[what].map((e) => `  ${e}`).join('\n')}`)
      .action(async (peerName: string, opts: { lines?: string; count?: string; json?: boolean }) => {
        const { readNow } = await import('../read-command.js');
        const { unlockKeys } = await import('../key-unlock.js');
        const { file, config } = await ctx.loadConfig();
        ctx.requirePeer(config, peerName);
        // A worker peer is read through its worker: no key is used here.
        if (config.peers[peerName]?.via === 'ssh') await unlockKeys(file, config, [peerName]);
        process.exitCode = await readNow(
          config,
          { peer: peerName, what, n: opts.lines ?? opts.count, json: !!opts.json },
          {
            out: ctx.out,
            err: ctx.err,
            connect: async () => {
              const { client, connection } = await ctx.connect();
              return { client, close: () => connection.close() };
            },
          },
        );
      });
  }
}
