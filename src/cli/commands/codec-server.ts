/** `peer-comms codec-server`: /encode and /decode for the Web UI, with the keys of the peers file or the environment. */
import type { Command } from 'commander';
import type { CommandContext } from '../context';

export function registerCodecServer(program: Command, ctx: CommandContext): void {
  program
    .command('codec-server')
    .description('serve /encode and /decode so the Web UI shows encrypted payloads to holders of the keys')
    .option('--port <port>', 'port', '8888')
    .option('--host <host>', 'address to listen on (anyone who can reach it can decrypt)', '127.0.0.1')
    .option(
      '--cors-origin <origins>',
      'the Web UI origin(s), comma-separated (default: http://127.0.0.1:8233, http://localhost:8233)',
    )
    .addHelpText(
      'after',
      `
Examples:
  peer-comms codec-server
  peer-comms codec-server --port 8888 --cors-origin https://temporal.example.com`,
    )
    .action(async (opts: { port: string; host: string; corsOrigin?: string }) => {
      const { codecServerNow } = await import('../codec-command.js');
      const { config } = await ctx.loadConfig().catch((err: unknown) => {
        // keys from the environment need no peers file
        if (process.env.PEER_COMMS_CODEC_KEYS || process.env.PEER_COMMS_CODEC_KEY_FILE) return { config: undefined };
        throw err;
      });
      const ac = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
      process.exitCode = await codecServerNow(config, opts, ac.signal, ctx.err);
    });
}
