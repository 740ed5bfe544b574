/** `peer-comms certs`: the CA, server and client certificates for peer workers on other machines (docs/multi-machine.md). */
import type { Command } from 'commander';
import type { CommandContext } from '../context';

interface CertsOptions {
  dir?: string;
  server: string[];
  client: string[];
  days: string;
  force: boolean;
}

function list(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ];
}

export function registerCerts(program: Command, ctx: CommandContext): void {
  program
    .command('certs')
    .description(
      "make mutual-TLS certificates: a CA, the controller's server certificate, one client certificate per peer",
    )
    .option('--dir <dir>', 'the certificates folder (default: tls/ in the config folder)')
    .option(
      '--server <names>',
      'the names and IP addresses peers reach the controller by (comma-separated, repeatable)',
      list,
      [],
    )
    .option('--client <peers>', 'a client certificate for each peer worker (comma-separated, repeatable)', list, [])
    .option('--days <n>', 'validity of the server and client certificates', '730')
    .option('--force', 'replace server/client certificates that exist (the CA is always kept)', false)
    .addHelpText(
      'after',
      `
Examples:
  peer-comms certs --server controller.lan,192.0.2.10 --client gpu1
  peer-comms certs --client gpu2            (later: one more peer, same CA)
  peer-comms dev --ip 192.0.2.10 --tls-dir ~/.config/peer-comms/tls`,
    )
    .action(async (opts: CertsOptions) => {
      const path = await import('node:path');
      const { expandHome, userConfigDir } = await import('../../config/paths.js');
      const { UsageError } = await import('../exit.js');
      const { CertInputError, makeCertificates } = await import('../../temporal/tls-certs.js');
      const dir = opts.dir === undefined ? path.join(userConfigDir(), 'tls') : expandHome(opts.dir);
      const res = await makeCertificates({
        dir,
        server: opts.server,
        clients: opts.client,
        days: Number(opts.days),
        force: opts.force,
      }).catch((err: unknown) => {
        throw err instanceof CertInputError ? new UsageError(err.message) : err;
      });
      ctx.out(res.caReused ? `signed with the CA in ${dir}` : `made a new CA in ${dir}`);
      for (const w of res.written) ctx.out(`  ${w.file}  ${w.what}`);
      if (opts.server.length > 0)
        ctx.out(`next: peer-comms dev --ip <the address peers reach> --tls-dir ${dir}  (docs/multi-machine.md)`);
      for (const c of opts.client)
        ctx.out(
          `peer ${c}: copy ca.pem, client-${c}.pem and client-${c}-key.pem to it, and set TEMPORAL_TLS_* there (docs/multi-machine.md)`,
        );
    });
}
