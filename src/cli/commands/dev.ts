/**
 * `peer-comms dev`: the Temporal dev server (and a codec server when encryption is on), then
 * `peer-comms worker`. `--ip` / `--tls-dir` open it to peer workers on other machines
 * (docs/multi-machine.md; the checks in src/temporal/tls-bind.ts).
 */
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context';
import type { DevServer } from '../../temporal/dev-server';
import type { TlsServerFiles } from '../../temporal/tls-terminator';

interface DevOptions {
  port: string;
  codecPort: string;
  download: boolean;
  ip: string;
  tlsDir?: string;
  tlsPort?: string;
  allowPlaintext: boolean;
}

/** The TLS settings for the peers, after the bind is checked (a UsageError: exit 2, nothing started). */
async function peerAccess(
  opts: DevOptions,
  warn: (line: string) => void,
): Promise<{ tls: TlsServerFiles; tlsPort?: number } | undefined> {
  const { UsageError } = await import('../exit.js');
  const { checkDevBind } = await import('../../temporal/tls-bind.js');
  const tlsPort = opts.tlsPort === undefined ? undefined : Number(opts.tlsPort);
  if (tlsPort !== undefined && !(Number.isInteger(tlsPort) && tlsPort > 0 && tlsPort < 65536))
    throw new UsageError(`--tls-port ${JSON.stringify(opts.tlsPort)}: expected a port number (1-65535)`);
  const tls = opts.tlsDir !== undefined;
  const verdict = checkDevBind({
    ip: opts.ip,
    port: Number(opts.port),
    tlsPort,
    tls,
    allowPlaintext: opts.allowPlaintext,
  });
  if (verdict.error) throw new UsageError(verdict.error);
  if (verdict.warning) warn(verdict.warning);
  if (opts.tlsDir === undefined) return undefined;
  const { tlsServerFilesIn, unreadableTlsFile } = await import('../../temporal/tls-terminator.js');
  const { expandHome } = await import('../../config/paths.js');
  const files = tlsServerFilesIn(expandHome(opts.tlsDir));
  const problem = await unreadableTlsFile(files);
  if (problem) throw new UsageError(`${problem}; nothing was started`);
  return { tls: files, tlsPort };
}

function peerLine(dev: DevServer, tls: boolean, loopback: boolean): string {
  if (!tls && loopback) return ''; // plaintext on loopback (the default): this machine only
  const where = dev.peerAddress.replace(/^(0\.0\.0\.0|\[::\])(?=:\d+$)/, "<this machine's address>");
  return `Peer workers: ${where}${tls ? ' (mutual TLS: each needs ca.pem and its client certificate)' : ' (plaintext)'}; docs/multi-machine.md\n`;
}

export function registerDev(program: Command, ctx: CommandContext): void {
  program
    .command('dev')
    .description('start the Temporal dev server (SQLite file, Web UI) and the controller worker')
    .addOption(new Option('--port <port>', 'frontend port (UI on port+1000)').default('7233'))
    .option('--codec-port <port>', 'encryption at rest on: the codec server the Web UI decrypts through', '8888')
    .option('--no-download', 'never download the Temporal CLI (also PEER_COMMS_TEMPORAL_DOWNLOAD=never)')
    .option(
      '--ip <addr>',
      'address for peer workers on other machines (needs --tls-dir or --allow-plaintext)',
      '127.0.0.1',
    )
    .option('--tls-dir <dir>', 'mutual TLS for the peers on --ip, with the files of `peer-comms certs`')
    .option('--tls-port <port>', "the TLS listener's port (default: --port; 127.0.0.1:--port stays plaintext)")
    .option('--allow-plaintext', 'let --ip be a non-loopback address without TLS (a warning is printed)', false)
    .addHelpText(
      'after',
      `
Examples:
  peer-comms dev                          (dev server on 127.0.0.1:7233, Web UI on :8233, worker)
  peer-comms dev --port 7300              (UI on :8300)
  peer-comms dev --ip 192.0.2.10 --tls-dir ~/.config/peer-comms/tls`,
    )
    .action(async (opts: DevOptions) => {
      const { userStateDir } = await import('../../config/paths.js');
      const { startDevServer } = await import('../../temporal/dev-server.js');
      const { isLoopback } = await import('../../temporal/tls-bind.js');
      const { codecFromEnv } = await import('../../temporal/codec.js');
      const { refuseLocalPeersOnWindows, temporalCliFor } = await import('../dev-preconditions.js');
      const tls = await peerAccess(opts, ctx.err); // a bad bind or missing certificates: exit 2 first
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
        ip: opts.ip,
        ...tls,
        log: ctx.err,
      });
      process.env.TEMPORAL_ADDRESS = dev.address;
      process.stderr.write(
        `Temporal dev server on ${dev.address}\n${peerLine(dev, tls !== undefined, isLoopback(opts.ip))}Web UI: ${dev.uiUrl}\n${codecServer ? `Codec server: ${codecServer.url} (payloads are encrypted; the Web UI decrypts through it${dev.startedHere ? '' : ' once you set it under Settings → Codec Server'})\n` : ''}(Ctrl-C stops the worker and the server)\n`,
      );
      try {
        await program.parseAsync(['node', 'peer-comms', ...ctx.globalArgs(), 'worker']);
      } finally {
        await dev.stop();
        await codecServer?.close();
      }
    });
}
