/**
 * `peer-comms codec-server`: the Temporal codec server protocol over node:http, so the Web UI
 * (or `temporal workflow show --codec-endpoint`) shows decrypted payloads to people who hold the
 * keys. POST …/encode and …/decode take and give `{ payloads: [{ metadata: { k: base64 }, data:
 * base64 }] }` (proto JSON); only the last path segment counts. CORS answers only the UI origins
 * given; a request from any other browser origin is refused. It listens on 127.0.0.1 by default:
 * anyone who can reach it can decrypt, so keep it there (or behind your own authentication).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { JSONToPayload, payloadToJSON, type JSONPayload } from '@temporalio/common/lib/proto-utils';
import type { CodecConfigSource } from '../temporal/codec';
import { UsageError } from './exit';
import { isLoopback } from '../temporal/tls-bind';

export const DEFAULT_CODEC_PORT = 8888;
export const DEFAULT_CORS_ORIGINS = ['http://127.0.0.1:8233', 'http://localhost:8233'];
/** Largest request body accepted (Temporal's own payload limit is 2 MB a payload by default). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface CodecServerOptions {
  codec: PayloadCodec;
  port?: number;
  host?: string;
  /** Browser origins allowed to call it (the Web UI's), exactly as the browser sends them. */
  corsOrigins?: readonly string[];
  /** One line per request: method, path, status, payload count — never payload contents or keys. */
  log?: (line: string) => void;
}

export interface CodecServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isJsonPayload(p: unknown): p is JSONPayload {
  if (typeof p !== 'object' || p === null) return false;
  const { metadata, data } = p as Record<string, unknown>;
  const metaOk =
    metadata === undefined ||
    metadata === null ||
    (typeof metadata === 'object' && Object.values(metadata).every((v) => typeof v === 'string'));
  return metaOk && (data === undefined || data === null || typeof data === 'string');
}

function parsePayloads(body: Buffer): Payload[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  const payloads = (json as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads) || !payloads.every(isJsonPayload)) {
    throw new HttpError(400, 'expected {"payloads": [{"metadata": {"key": "base64"}, "data": "base64"}]}');
  }
  return payloads.map((p) => JSONToPayload(p));
}

export function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const origins = new Set(opts.corsOrigins ?? DEFAULT_CORS_ORIGINS);
  const log = opts.log ?? (() => undefined);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    if (origin !== undefined) {
      // A browser page from another origin gets nothing (and no CORS headers to read it with).
      if (!origins.has(origin)) throw new HttpError(403, `origin ${origin} is not allowed (see --cors-origin)`);
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://codec.invalid').pathname.replace(/\/+$/, '');
    const op = path.endsWith('/encode') ? 'encode' : path.endsWith('/decode') ? 'decode' : undefined;
    if (!op) throw new HttpError(404, 'POST …/encode or …/decode');
    if (req.method !== 'POST') throw new HttpError(405, 'POST only');
    const payloads = parsePayloads(await readBody(req));
    let out: Payload[];
    try {
      out = op === 'encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
    } catch (err) {
      throw new HttpError(422, (err as Error).message);
    }
    const body = JSON.stringify({ payloads: out.map((p) => payloadToJSON(p)) });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    log(`${req.method} ${path} 200 (${payloads.length} payload${payloads.length === 1 ? '' : 's'})`);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      log(`${req.method} ${req.url} ${status}: ${message}`);
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(JSON.stringify({ error: message }));
    });
  });
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const onListenError = (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `the codec server cannot listen on ${host}:${opts.port ?? DEFAULT_CODEC_PORT} (${err.code ?? err.message}); pick another port`,
          { cause: err },
        ),
      );
    server.once('error', onListenError);
    server.listen(opts.port ?? DEFAULT_CODEC_PORT, host, () => {
      server.off('error', onListenError);
      server.on('error', (err) => log(`codec server error: ${err.message}`));
      const port = (server.address() as AddressInfo).port;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}`,
        port,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export interface CodecCommandOptions {
  port: string;
  host: string;
  corsOrigin?: string;
}

/** Parses the command's options; a bad one is a usage error (exit 2). */
export function codecServerSettings(opts: CodecCommandOptions): { port: number; host: string; corsOrigins: string[] } {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected 0–65535`);
  const corsOrigins = opts.corsOrigin
    ? opts.corsOrigin
        .split(',')
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean)
    : DEFAULT_CORS_ORIGINS;
  for (const o of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o))
      throw new UsageError(`--cors-origin: "${o}" is not an origin like http://127.0.0.1:8233`);
  }
  return { port, host: opts.host, corsOrigins };
}

/** `peer-comms codec-server`: runs until the signal aborts (Ctrl-C). */
export async function codecServerNow(
  config: CodecConfigSource | undefined,
  opts: CodecCommandOptions,
  signal: AbortSignal,
  err: (line: string) => void,
): Promise<number> {
  const settings = codecServerSettings(opts);
  const { codecFromEnv, describeSource } = await import('../temporal/codec.js');
  const codec = await codecFromEnv(config);
  if (!codec) {
    throw new UsageError(
      'encryption at rest is off, so there is nothing to decode: set PEER_COMMS_CODEC_KEYS or PEER_COMMS_CODEC_KEY_FILE, or controller.codec.keyFile in the peers file',
    );
  }
  const server = await startCodecServer({ codec, ...settings, log: err });
  err(
    `codec server on ${server.url} — keys ${codec.keyIds.map((id) => (id === codec.currentKeyId ? `${id} (current)` : id)).join(', ')} from ${codec.source ? describeSource(codec.source) : '?'}; CORS for ${settings.corsOrigins.join(', ')}`,
  );
  err(
    `point the Web UI at it: Settings → Codec Server → ${server.url} (or \`temporal server start-dev --ui-codec-endpoint ${server.url}\`); Ctrl-C stops it`,
  );
  if (!isLoopback(settings.host)) {
    err(`warning: listening on ${settings.host}: anyone who can reach this port can decrypt your payloads`);
  }
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  return 0;
}
