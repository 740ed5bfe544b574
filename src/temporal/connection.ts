/**
 * Connections to Temporal, configured by @temporalio/envconfig: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings or a profile in temporal.toml, so the
 * same binary talks to the embedded dev server, a self-hosted cluster or Temporal Cloud.
 */
import { Client, Connection } from '@temporalio/client';
import { codecOptions } from './codec';
import { loadClientConnectConfigReadably } from './tls-client';
import { workflowLink } from './ui-link';
import { TemporalUnreachable, connectTimeoutMs, probeTcp, unreachable } from './reachable';

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** The Web UI's base URL from the peers file (`temporal.uiUrl`); see ui-link.ts. */
  uiUrl?: string;
}

export function loadConnectConfig() {
  const cfg = loadClientConnectConfigReadably(); // a TLS file that cannot be read: exit 2, naming it
  const address = cfg.connectionOptions.address ?? 'localhost:7233';
  return { cfg, address, namespace: cfg.namespace ?? 'default' };
}

export function temporalSettings(): TemporalSettings {
  const { address, namespace } = loadConnectConfig();
  return { address, namespace };
}

/** `codec`: the payload codec options (see codec.ts); default: whatever the environment turns on. */
export async function connectClient(
  codec?: Awaited<ReturnType<typeof codecOptions>>,
): Promise<{ client: Client; connection: Connection; settings: TemporalSettings }> {
  const { cfg, address, namespace } = loadConnectConfig();
  const codecOpts = codec ?? (await codecOptions());
  const connection = await connectFast(cfg.connectionOptions, { address, namespace });
  return {
    client: new Client({ connection, namespace, ...codecOpts }),
    connection,
    settings: { address, namespace },
  };
}

/**
 * Connection.connect with a short deadline, raced against a TCP probe: a refused port or an unknown
 * host fails at once; any failure is a TemporalUnreachable naming the address and what to do.
 */
async function connectFast(
  options: ReturnType<typeof loadConnectConfig>['cfg']['connectionOptions'],
  settings: TemporalSettings,
): Promise<Connection> {
  const tls = !!options.tls || !!options.apiKey;
  const attempt = Connection.connect({ ...options, address: settings.address, connectTimeout: connectTimeoutMs() });
  const probe = probeTcp(settings.address);
  const refused = probe.then((p) =>
    p.ok ? attempt : Promise.reject(unreachable(settings, p.text, { portAnswered: false, tls })),
  );
  try {
    return await Promise.race([attempt, refused]);
  } catch (e) {
    attempt.then((c) => c.close()).catch(() => undefined); // the race's loser, if it ever connects
    if (e instanceof TemporalUnreachable) throw e;
    const p = await probe;
    throw unreachable(settings, e instanceof Error ? e.message : String(e), { portAnswered: p.ok && p.answered, tls });
  }
}

/** The Web UI link for a workflow: see ui-link.ts for each address form (dev server, self-hosted, Cloud). */
export function workflowUrl(settings: TemporalSettings, workflowId: string): string {
  return workflowLink(settings, workflowId);
}
