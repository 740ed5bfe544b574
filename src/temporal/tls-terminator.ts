/**
 * Mutual TLS in front of the dev server: the Temporal CLI's `server start-dev` (1.9.1) has no
 * TLS options, so `peer-comms dev --tls-dir` keeps its plaintext frontend on 127.0.0.1 and
 * listens here, on the address the peers reach, for TLS connections that show a client
 * certificate signed by our CA (anything else is refused in the handshake), then pipes the
 * decrypted bytes (HTTP/2, gRPC) to the plaintext port. It never reads what passes through.
 */
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { hostPort } from './tls-bind';
import { TLS_FILES } from './tls-files';

/** The server side's files: its certificate and key, and the CA that signs the clients' certificates. */
export interface TlsServerFiles {
  cert: string;
  key: string;
  /** The CA the client certificates must be signed by. */
  clientCa: string;
}

/** The files `peer-comms certs` wrote into `dir`. */
export function tlsServerFilesIn(dir: string): TlsServerFiles {
  return { cert: join(dir, TLS_FILES.server), key: join(dir, TLS_FILES.serverKey), clientCa: join(dir, TLS_FILES.ca) };
}

export interface TlsTerminatorOptions {
  files: TlsServerFiles;
  /** Where to listen (the address the peers reach). */
  host: string;
  port: number;
  /** The plaintext frontend (on loopback). */
  target: { host: string; port: number };
  /** A refused client (no or a wrong certificate), once per remote address and reason. */
  log?: (line: string) => void;
}

export interface TlsTerminator {
  /** host:port as the peers write it (IPv6 in brackets). */
  address: string;
  close(): Promise<void>;
}

/** The first of the files that cannot be read, as a sentence saying what to do; undefined: all there. */
export async function unreadableTlsFile(files: TlsServerFiles): Promise<string | undefined> {
  try {
    await readAll(files);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function readAll(files: TlsServerFiles): Promise<{ cert: Buffer; key: Buffer; ca: Buffer }> {
  const one = (what: string, file: string) =>
    readFile(file).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new Error(
        `cannot read the ${what} ${file} (${code}): make the files with \`peer-comms certs --server <name or address>\` (docs/multi-machine.md)`,
      );
    });
  // allSettled, not all: the error names the first unreadable file in this order, whichever read
  // fails first (Promise.all rejected with the fastest failure, so the message varied run to run).
  const settled = await Promise.allSettled([
    one('server certificate', files.cert),
    one('server key', files.key),
    one('client CA certificate', files.clientCa),
  ]);
  const [cert, key, ca] = settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  return { cert: cert as Buffer, key: key as Buffer, ca: ca as Buffer };
}

function pipeTo(tlsSock: TLSSocket, target: TlsTerminatorOptions['target'], open: Set<Socket>): void {
  const plain = connect(target);
  open.add(tlsSock);
  open.add(plain);
  const done = () => {
    tlsSock.destroy();
    plain.destroy();
    open.delete(tlsSock);
    open.delete(plain);
  };
  tlsSock.on('error', done).on('close', done);
  plain.on('error', done).on('close', done);
  tlsSock.pipe(plain).pipe(tlsSock);
}

/** What the handshake refused, in words a person can act on. */
export function refusalReason(err: { code?: string; reason?: string; message: string }): string {
  const reason = err.reason ?? err.message.split('\n')[0] ?? '';
  if (err.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE')
    return 'it showed no client certificate (set TEMPORAL_TLS_CLIENT_CERT_PATH and _KEY_PATH on the peer)';
  if (/certificate verify failed|unknown ca|unable.to.get.(local.)?issuer|self.signed|signature/i.test(reason))
    return `its client certificate is not signed by this CA (${reason}): make it with \`peer-comms certs --client <peer>\` here`;
  if (/certificate has expired/i.test(reason))
    return 'its client certificate has expired: make a new one with `peer-comms certs --client <peer> --force`';
  if (/wrong version number|http request/i.test(reason)) return 'it spoke plaintext (set TEMPORAL_TLS_* on the peer)';
  return reason || err.code || 'TLS handshake failed';
}

export async function startTlsTerminator(opts: TlsTerminatorOptions): Promise<TlsTerminator> {
  const { cert, key, ca } = await readAll(opts.files);
  const open = new Set<Socket>();
  const told = new Set<string>();
  const server = createServer(
    {
      cert,
      key,
      ca,
      requestCert: true,
      // Checked below instead, before a byte is piped: Node would drop a client whose certificate
      // another CA signed without a word (no tlsClientError), and the controller should say why.
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      minVersion: 'TLSv1.2',
    },
    (sock) => {
      if (sock.authorized) return pipeTo(sock, opts.target, open);
      const noCert = Object.keys(sock.getPeerCertificate()).length === 0;
      refuse(sock.remoteAddress, {
        code: noCert ? 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' : undefined,
        message: String(sock.authorizationError ?? 'unauthorized'),
      });
      sock.destroy();
    },
  );
  const refuse = (remote: string | undefined, err: { code?: string; reason?: string; message: string }) => {
    const why = `${remote ?? 'a client'}: ${refusalReason(err)}`;
    if (told.has(why)) return;
    told.add(why);
    opts.log?.(`TLS: refused a connection from ${why}`);
  };
  server.on('tlsClientError', (err: NodeJS.ErrnoException & { reason?: string }, sock) => {
    // A port probe or a client gone before its hello is no refusal worth a line.
    if (err.code?.startsWith('ERR_SSL')) refuse(sock.remoteAddress, err);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return {
    address: hostPort(opts.host, typeof bound === 'object' && bound ? bound.port : opts.port),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
