/**
 * The client side of TLS comes from @temporalio/envconfig (TEMPORAL_TLS_*, or a temporal.toml
 * profile's `tls`; docs/multi-machine.md). It reads the certificate files when the settings are
 * loaded; a missing one would fail as a bare `ENOENT … open '<file>'`. Here it fails as a
 * configuration error (exit 2) that says which setting names the file.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';

/** Known by name in the CLI (exit 2) without importing src/config (yaml, zod). */
export class TlsFileError extends Error {
  override name = 'ConfigError';
}

const SETTINGS =
  'TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH, or the tls paths of the temporal.toml profile';

/** loadClientConnectConfig(), with a readable error when a TLS file it names cannot be read. */
export function loadClientConnectConfigReadably(): ReturnType<typeof loadClientConnectConfig> {
  try {
    return loadClientConnectConfig();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.syscall !== 'open' || !e.path) throw err;
    throw new TlsFileError(
      `cannot read ${e.path} (${e.code ?? 'error'}), named for the Temporal connection's TLS by ${SETTINGS}: copy the file there (\`peer-comms certs\` makes them; docs/multi-machine.md) or correct the path; nothing was started`,
    );
  }
}
