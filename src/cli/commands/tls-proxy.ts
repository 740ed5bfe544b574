/**
 * `peer-comms tls-proxy`: the mutual-TLS listener of `peer-comms dev --tls-dir` on its own, in
 * front of any plaintext Temporal frontend (the compose stack's, a server you run yourself), so
 * peer workers on other machines reach it with client certificates (docs/multi-machine.md).
 */
import type { Command } from 'commander';
import type { CommandContext } from '../context';

interface ProxyOptions {
  listen: string;
  target: string;
  tlsDir?: string;
}

/** host and port of `host:port` or `[v6]:port`, or what is wrong with it. */
function splitAddress(
  flag: string,
  value: string,
  parseHostPort: (v: string) => { host: string; port: number } | undefined,
): { host: string; port: number } | string {
  const hp = parseHostPort(value);
  if (!hp || !(Number.isInteger(hp.port) && hp.port > 0 && hp.port < 65536))
    return `${flag} ${JSON.stringify(value)}: expected host:port, e.g. 192.0.2.10:7233`;
  return hp;
}

export function registerTlsProxy(program: Command, ctx: CommandContext): void {
  program
    .command('tls-proxy')
    .description('mutual TLS in front of a plaintext Temporal frontend, for peer workers on other machines')
    .requiredOption('--listen <host:port>', 'where the peers connect (the address they reach)')
    .option('--target <host:port>', 'the plaintext Temporal frontend', '127.0.0.1:7233')
    .option('--tls-dir <dir>', 'the files of `peer-comms certs` (default: tls/ in the config folder)')
    .addHelpText(
      'after',
      `
Examples:
  peer-comms tls-proxy --listen 192.0.2.10:7233
  peer-comms tls-proxy --listen 0.0.0.0:7233 --target temporal:7233 --tls-dir /tls   (in the compose stack)`,
    )
    .action(async (opts: ProxyOptions) => {
      const path = await import('node:path');
      const { UsageError } = await import('../exit.js');
      const { expandHome, userConfigDir } = await import('../../config/paths.js');
      const { startTlsTerminator, tlsServerFilesIn, unreadableTlsFile } =
        await import('../../temporal/tls-terminator.js');
      const { parseHostPort } = await import('../../temporal/tls-bind.js');
      const listen = splitAddress('--listen', opts.listen, parseHostPort);
      const target = splitAddress('--target', opts.target, parseHostPort);
      if (typeof listen === 'string') throw new UsageError(listen);
      if (typeof target === 'string') throw new UsageError(target);
      const dir = opts.tlsDir === undefined ? path.join(userConfigDir(), 'tls') : expandHome(opts.tlsDir);
      const files = tlsServerFilesIn(dir);
      const problem = await unreadableTlsFile(files);
      if (problem) throw new UsageError(`${problem}; nothing was started`);
      const proxy = await startTlsTerminator({ files, ...listen, target, log: ctx.err });
      ctx.err(`TLS proxy: peers connect to ${proxy.address} (mutual TLS) → ${opts.target}; Ctrl-C stops it`);
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
      });
      await proxy.close();
    });
}
