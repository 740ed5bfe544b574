/**
 * The embedded default: the Temporal CLI dev server with a persistent SQLite file and the
 * Web UI, started by `peer-comms dev` / `peer-comms demo`, bound to 127.0.0.1. For peer
 * workers on other machines (docs/multi-machine.md): `ip` binds the frontend elsewhere
 * (plaintext), or `tls` keeps it on 127.0.0.1 and puts a mutual-TLS listener on `ip`
 * (tls-terminator.ts). The Web UI stays on 127.0.0.1 either way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { locateTemporalCli, type DownloadPolicy } from './cli-download';
import { connectHostFor, hostPort } from './tls-bind';
import { startTlsTerminator, type TlsServerFiles } from './tls-terminator';

export interface DevServerOptions {
  stateDir: string;
  port?: number;
  uiPort?: number;
  /** Keep running after this process exits (the UI link stays valid). */
  detached?: boolean;
  namespace?: string;
  /** The Web UI's codec server (`--ui-codec-endpoint`), when encryption at rest is on. */
  uiCodecEndpoint?: string;
  /** The Temporal CLI to run; default: found here or downloaded (see cli-download.ts). */
  bin?: string;
  /** Whether the CLI may be downloaded when none is found (default 'never': callers opt in). */
  download?: DownloadPolicy;
  /** Progress lines (a download, a refused TLS client). */
  log?: (line: string) => void;
  /** The address the frontend is bound to, or with `tls` the TLS listener (default 127.0.0.1). */
  ip?: string;
  /** Mutual TLS for the peers on `ip`:`tlsPort`; the plaintext frontend stays on 127.0.0.1:`port`. */
  tls?: TlsServerFiles;
  /** The TLS listener's port (default: `port`). */
  tlsPort?: number;
}

export interface DevServer {
  /** Where this machine connects (plaintext). */
  address: string;
  /** Where the peers connect: the TLS listener, or `address` without TLS. */
  peerAddress: string;
  uiUrl: string;
  pid: number | undefined;
  /** false when a server was already listening and is reused. */
  startedHere: boolean;
  stop(): Promise<void>;
}

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** The dev server, and with `opts.tls` the TLS listener in front of it (stopped with it). */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const tls = opts.tls;
  if (!tls) return startPlainDevServer(opts, opts.ip ?? '127.0.0.1');
  const dev = await startPlainDevServer(opts, '127.0.0.1');
  try {
    const port = opts.port ?? 7233;
    const terminator = await startTlsTerminator({
      files: tls,
      host: opts.ip ?? '127.0.0.1',
      port: opts.tlsPort ?? port,
      target: { host: '127.0.0.1', port },
      log: opts.log,
    });
    return {
      ...dev,
      peerAddress: terminator.address,
      stop: async () => {
        await terminator.close();
        await dev.stop();
      },
    };
  } catch (err) {
    await dev.stop();
    throw err;
  }
}

async function startPlainDevServer(opts: DevServerOptions, ip: string): Promise<DevServer> {
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? port + 1000;
  const host = connectHostFor(ip);
  const address = hostPort(host, port);
  const peerAddress = hostPort(ip, port);
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  if (await portOpen(port, host)) {
    return { address, peerAddress, uiUrl, pid: undefined, startedHere: false, stop: async () => {} };
  }
  // The binary first: when there is none, nothing (not even the state folder) is made.
  const bin = opts.bin ?? (await locateTemporalCli({ policy: opts.download ?? 'never', log: opts.log }));
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--ui-ip',
    '127.0.0.1', // the Web UI has no authentication: never beside a frontend bound for the peers
    '--ui-port',
    String(uiPort),
    '--db-filename',
    join(opts.stateDir, `temporal-${port}.sqlite`), // one database per server port
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
    ...ALL_SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=Keyword`]),
    ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
  ];
  const logFile = join(opts.stateDir, 'temporal-dev-server.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(bin, args, {
    stdio: ['ignore', out, out],
    detached: opts.detached ?? false,
  });
  if (opts.detached) {
    child.unref();
    writeFileSync(join(opts.stateDir, 'temporal-dev-server.pid'), String(child.pid));
  }
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 60_000;
  while (!(await portOpen(port, host))) {
    if (exited) throw new Error(`the Temporal dev server exited during startup; see ${logFile}`);
    if (Date.now() > deadline)
      throw new Error(`the Temporal dev server did not listen on ${address} within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address,
    peerAddress,
    uiUrl,
    pid: child.pid,
    startedHere: true,
    stop: async () => {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
