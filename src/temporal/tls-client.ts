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
    return loadClientConnectConfig({ overrideEnvVars: temporalEnvWithoutEmpty(process.env) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.syscall !== 'open' || !e.path) throw err;
    throw new TlsFileError(
      `cannot read ${e.path} (${e.code ?? 'error'}), named for the Temporal connection's TLS by ${SETTINGS}: copy the file there (\`peer-comms certs\` makes them; docs/multi-machine.md) or correct the path; nothing was started`,
    );
  }
}

/**
 * The environment for envconfig, with empty TEMPORAL_* variables left out: `TEMPORAL_API_KEY=`
 * (the usual way to clear it in a shell or a unit file) means unset, as for the `temporal` CLI.
 * envconfig itself took the empty key as an API key and turned TLS on, so a plaintext dev server
 * could not be reached.
 */
export function temporalEnvWithoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !(k.startsWith('TEMPORAL_') && v === '')) out[k] = v;
  return out;
}
