/** The worker's native connection, configured like the client's (envconfig). Kept apart so the CLI's send path does not load the worker runtime. */
import { NativeConnection } from '@temporalio/worker';
import { loadConnectConfig, type TemporalSettings } from './connection';

export async function connectWorker(): Promise<{ connection: NativeConnection; settings: TemporalSettings }> {
  const { cfg, address, namespace } = loadConnectConfig();
  const connection = await NativeConnection.connect({ ...cfg.connectionOptions, address });
  return { connection, settings: { address, namespace } };
}
