/** `peer-comms dev`: the Temporal dev server (and a codec server when encryption is on), then `peer-comms worker`. */
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context';

export function registerDev(program: Command, ctx: CommandContext): void {
  program
    .command('dev')
    .description('start the Temporal dev server (SQLite file, Web UI) and the controller worker')
    .addOption(new Option('--port <port>', 'frontend port (UI on port+1000)').default('7233'))
    .option('--codec-port <port>', 'encryption at rest on: the codec server the Web UI decrypts through', '8888')
    .option('--no-download', 'never download the Temporal CLI (also PEER_COMMS_TEMPORAL_DOWNLOAD=never)')
    .action(async (opts: { port: string; codecPort: string; download: boolean }) => {
      const { userStateDir } = await import('../../config/paths.js');
      const { startDevServer } = await import('../../temporal/dev-server.js');
      const { codecFromEnv } = await import('../../temporal/codec.js');
      const { refuseLocalPeersOnWindows, temporalCliFor } = await import('../dev-preconditions.js');
      const { file, config } = await ctx.loadConfig();
      // Before anything starts: what cannot work here, then the Temporal CLI (found or downloaded).
      refuseLocalPeersOnWindows(config, file);
      // Every key's passphrase now, not from the worker started below, once the dev server and
      // the codec server run. What is typed stays in typedPassphrases: the worker does not ask again.
      const { unlockKeys } = await import('../key-unlock.js');
      await unlockKeys(file, config, Object.keys(config.peers));
      const codec = await codecFromEnv(config);
      const bin = await temporalCliFor(Number(opts.port), { download: opts.download, log: ctx.err });
      const ui = Number(opts.port) + 1000;
      const codecServer = codec
        ? await (
            await import('../codec-command.js')
          ).startCodecServer({
            codec,
            port: Number(opts.codecPort),
            corsOrigins: [`http://127.0.0.1:${ui}`, `http://localhost:${ui}`],
          })
        : undefined;
      const dev = await startDevServer({
        stateDir: join(userStateDir(), 'dev-server'),
        port: Number(opts.port),
        uiCodecEndpoint: codecServer?.url,
        bin,
      });
      process.env.TEMPORAL_ADDRESS = dev.address;
      process.stderr.write(
        `Temporal dev server on ${dev.address}\nWeb UI: ${dev.uiUrl}\n${codecServer ? `Codec server: ${codecServer.url} (payloads are encrypted; the Web UI decrypts through it${dev.startedHere ? '' : ' once you set it under Settings → Codec Server'})\n` : ''}(Ctrl-C stops the worker and the server)\n`,
      );
      try {
        await program.parseAsync(['node', 'peer-comms', ...ctx.globalArgs(), 'worker']);
      } finally {
        await dev.stop();
        await codecServer?.close();
      }
    });
}
