/**
 * The embedded default: the Temporal CLI dev server with a persistent SQLite file and the
 * Web UI, started by `peer-comms dev` / `peer-comms demo`, bound to 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { locateTemporalCli, type DownloadPolicy } from './cli-download';

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
  /** Progress lines (a download). */
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
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

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? port + 1000;
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  if (await portOpen(port)) {
    return { address, uiUrl, pid: undefined, startedHere: false, stop: async () => {} };
  }
  // The binary first: when there is none, nothing (not even the state folder) is made.
  const bin = opts.bin ?? (await locateTemporalCli({ policy: opts.download ?? 'never', log: opts.log }));
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
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
  while (!(await portOpen(port))) {
    if (exited) throw new Error(`the Temporal dev server exited during startup; see ${logFile}`);
    if (Date.now() > deadline)
      throw new Error(`the Temporal dev server did not listen on ${address} within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address,
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
