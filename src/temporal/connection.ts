/**
 * Connections to Temporal, configured by @temporalio/envconfig: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings or a profile in temporal.toml, so the
 * same binary talks to the embedded dev server, a self-hosted cluster or Temporal Cloud.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { codecOptions } from './codec';
import { uiBaseUrl, workflowLink } from './ui-link';

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** The Web UI's base URL from the peers file (`temporal.uiUrl`); see ui-link.ts. */
  uiUrl?: string;
}

export function loadConnectConfig() {
  const cfg = loadClientConnectConfig();
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
  const connection = await Connection.connect({ ...cfg.connectionOptions, address });
  return {
    client: new Client({ connection, namespace, ...codecOpts }),
    connection,
    settings: { address, namespace },
  };
}

/** The Web UI link for a workflow: see ui-link.ts for each address form (dev server, self-hosted, Cloud). */
export function workflowUrl(settings: TemporalSettings, workflowId: string): string {
  return workflowLink(settings, workflowId);
}

export function uiBase(settings: TemporalSettings): string {
  return uiBaseUrl(settings);
}
