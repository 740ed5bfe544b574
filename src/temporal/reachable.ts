/**
 * A CLI command's first connect to Temporal, fast: a plain TCP probe runs beside the gRPC connect,
 * so a refused port or an unknown host fails in milliseconds instead of at the gRPC deadline, and
 * the failure says what was tried (address, namespace) and what to do (start `peer-comms dev`,
 * pick another server, turn TLS on or off). Workers keep the SDK's own reconnects after this.
 */
import { connect } from 'node:net';
import { parseHostPort } from './tls-bind';

/** The gRPC connect deadline of a CLI command (a port that answers but never speaks gRPC, a slow route). */
export const CONNECT_TIMEOUT_MS = 1500;

/**
 * The deadline of this run's first connect: a CLI command fails within 2 s of its start, so what
 * start-up took (loading modules, reading the config) comes off a 1.9 s budget (at most CONNECT_TIMEOUT_MS);
 * at least 1 s is left for a TLS handshake over a slow route.
 */
export function connectTimeoutMs(): number {
  return Math.max(1000, Math.min(CONNECT_TIMEOUT_MS, Math.round(1900 - performance.now())));
}

/** Temporal could not be reached: exit 5 (EXIT.unreachable). Known by name in the CLI (no import). */
export class TemporalUnreachable extends Error {
  override name = 'TemporalUnreachable';
  constructor(
    message: string,
    readonly address: string,
    readonly namespace: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** What a TCP probe found: nothing final (whether the port answered), or a failure a gRPC retry cannot mend. */
export type Probe = { ok: true; answered: boolean } | { ok: false; code: string; text: string };

const FINAL: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens there)',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'the host name could not be resolved now',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
};

/**
 * A TCP connect to `address`, closed at once. Resolves `{ ok: false }` only for a final failure
 * (refused, unknown host, no route); a timeout or anything else resolves `{ ok: true }` and the
 * gRPC connect decides. Skipped (`ok: true`, not answered) behind a proxy, which gRPC would go through.
 */
export function probeTcp(address: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Probe> {
  const hp = parseHostPort(address); // undefined for forms the probe leaves to gRPC (dns:///…, unix:…)
  const proxied = ['grpc_proxy', 'https_proxy', 'http_proxy'].some(
    (v) => process.env[v] || process.env[v.toUpperCase()],
  );
  if (!hp || proxied) return Promise.resolve({ ok: true, answered: false });
  return new Promise((resolve) => {
    const socket = connect({ host: hp.host, port: hp.port });
    const done = (p: Probe): void => {
      socket.destroy();
      resolve(p);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: true, answered: false }));
    socket.once('connect', () => done({ ok: true, answered: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      const text = FINAL[code];
      done(text ? { ok: false, code, text } : { ok: true, answered: false });
    });
  });
}

/** What to do, for a person: start a server, or point at the right one (and TLS on or off). */
export function unreachableHint(opts: { portAnswered: boolean; tls: boolean }): string {
  const reach =
    'is it running? Start one with `peer-comms dev`, or point at another with TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, or a temporal.toml profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE)';
  if (!opts.portAnswered) return reach;
  return opts.tls
    ? 'the port answers but the TLS handshake or gRPC did not: is the server plaintext (a dev server)? Then turn TLS off (TEMPORAL_TLS=false, or tls off in the profile); or does it want a client certificate (mutual TLS, `peer-comms dev --tls-dir`)? Then set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (docs/multi-machine.md)'
    : 'the port answers but gRPC did not: does the server want TLS (Temporal Cloud, a TLS cluster)? Then set TEMPORAL_TLS=true (with TEMPORAL_TLS_SERVER_CA_CERT_PATH, client cert and key for mTLS) or tls in the profile';
}

/** The error of a failed first connect: address, namespace, why, what to do. */
export function unreachable(
  settings: { address: string; namespace: string },
  why: string,
  opts: { portAnswered: boolean; tls: boolean },
): TemporalUnreachable {
  const hint = unreachableHint(opts);
  return new TemporalUnreachable(
    `cannot connect to Temporal at ${settings.address} (namespace ${settings.namespace}): ${why}; ${hint}`,
    settings.address,
    settings.namespace,
    hint,
  );
}
