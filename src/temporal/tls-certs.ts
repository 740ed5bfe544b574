/**
 * The certificates for mutual TLS between the controller's Temporal and peer workers on other
 * machines (`peer-comms certs`, docs/multi-machine.md): a private CA, one server certificate
 * for the controller's names and addresses, and one client certificate per peer worker. Made
 * in Node alone (ECDSA P-256 through WebCrypto, X.509 by @peculiar/x509), so a Windows
 * controller needs no openssl. Private keys are written 0600, the folder 0700.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs it, before the import below
import { randomBytes, webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { TLS_FILES } from './tls-files';

const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const subtle = webcrypto.subtle;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** A name a client certificate may have: it becomes a file name and the certificate's CN. */
export const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface CertRequest {
  dir: string;
  /** DNS names and IP addresses the peers reach the controller by (server certificate); none: no server certificate. */
  server: string[];
  /** One client certificate each (peer names). */
  clients: string[];
  /** Validity of the new server and client certificates (the CA: 10 years). */
  days: number;
  /** Replace certificates that exist (never the CA: delete it by hand to start over). */
  force: boolean;
}

export interface CertResult {
  /** Files written, each with what it is. */
  written: { file: string; what: string }[];
  /** true: the CA in the folder was used; false: a new CA was made. */
  caReused: boolean;
}

/** Bad input (a name, an existing file): the message says what to change. Nothing was written. */
export class CertInputError extends Error {
  override name = 'CertInputError';
}

interface Ca {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

function pemKey(der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f; // positive
  return b.toString('hex');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
}

async function readCa(dir: string): Promise<Ca | undefined> {
  let certPem: string;
  try {
    certPem = await readFile(join(dir, TLS_FILES.ca), 'utf8');
  } catch {
    return undefined;
  }
  const keyFile = join(dir, TLS_FILES.caKey);
  const keyPem = await readFile(keyFile, 'utf8').catch(() => {
    throw new CertInputError(
      `${join(dir, TLS_FILES.ca)} is there but its key ${keyFile} is not: new certificates cannot be signed; restore the key, or move the folder away to start a new CA (then every peer needs a new client certificate)`,
    );
  });
  try {
    const der = x509.PemConverter.decodeFirst(keyPem);
    const key = await subtle.importKey('pkcs8', der, KEY_ALG, true, ['sign']);
    return { cert: new x509.X509Certificate(certPem), key };
  } catch (err) {
    throw new CertInputError(
      `cannot use the CA in ${dir} (${err instanceof Error ? err.message : String(err)}): peer-comms signs with the ECDSA P-256 CA it made itself; move the folder away to start a new one`,
    );
  }
}

async function newCa(): Promise<{ ca: Ca; keyPem: string }> {
  const keys = await newKeys();
  const notBefore = new Date(Date.now() - DAY_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=peer-comms CA',
    notBefore,
    notAfter: new Date(notBefore.getTime() + 3650 * DAY_MS),
    keys,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { ca: { cert, key: keys.privateKey }, keyPem: pemKey(await subtle.exportKey('pkcs8', keys.privateKey)) };
}

/** A leaf certificate signed by the CA: the server's (names and addresses) or a client's. */
async function leaf(
  ca: Ca,
  role: 'server' | 'client',
  names: string[],
  days: number,
): Promise<{ certPem: string; keyPem: string }> {
  const keys = await newKeys();
  const notBefore = new Date(Date.now() - DAY_MS);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [role === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
  ];
  if (role === 'server') {
    const san = names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }));
    extensions.push(new x509.SubjectAlternativeNameExtension(san, false));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0] ?? role}`,
    issuer: ca.cert.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGN_ALG,
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: pemKey(await subtle.exportKey('pkcs8', keys.privateKey)) };
}

const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9*]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Refuses what cannot become a certificate before anything is made. */
export function checkCertRequest(req: CertRequest): void {
  for (const n of req.server)
    if (!isIP(n) && !DNS_NAME.test(n))
      throw new CertInputError(`--server ${JSON.stringify(n)} is neither an IP address nor a DNS name`);
  for (const n of req.clients)
    if (!CLIENT_NAME.test(n))
      throw new CertInputError(
        `--client ${JSON.stringify(n)}: use letters, digits, '.', '_' and '-' (it names the files and the certificate), e.g. the peer's name`,
      );
  if (!Number.isInteger(req.days) || req.days < 1 || req.days > 3650)
    throw new CertInputError(`--days ${req.days}: expected a whole number of days from 1 to 3650`);
  if (req.server.length === 0 && req.clients.length === 0)
    throw new CertInputError(
      'nothing to make: give --server <the controller names/addresses peers use> and/or --client <peer name>',
    );
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  );
}

/** Writes a file; a key 0600 (chmod too: a replaced file keeps its old mode otherwise). */
async function put(file: string, text: string, secret: boolean, force: boolean): Promise<void> {
  await writeFile(file, text, { mode: secret ? 0o600 : 0o644, flag: force ? 'w' : 'wx' });
  if (secret) await chmod(file, 0o600);
}

/** Makes what `req` asks for in req.dir, with the CA there (made when there is none). */
export async function makeCertificates(req: CertRequest): Promise<CertResult> {
  checkCertRequest(req);
  const planned = [
    ...(req.server.length > 0 ? [TLS_FILES.server, TLS_FILES.serverKey] : []),
    ...req.clients.flatMap((c) => [TLS_FILES.client(c), TLS_FILES.clientKey(c)]),
  ].map((f) => join(req.dir, f));
  if (!req.force)
    for (const f of planned)
      if (await exists(f)) throw new CertInputError(`${f} exists: add --force to replace it; nothing was written`);
  await mkdir(req.dir, { recursive: true, mode: 0o700 });
  const written: CertResult['written'] = [];
  let ca = await readCa(req.dir);
  const caReused = ca !== undefined;
  if (!ca) {
    const made = await newCa();
    ca = made.ca;
    await put(join(req.dir, TLS_FILES.caKey), made.keyPem, true, false);
    await put(join(req.dir, TLS_FILES.ca), ca.cert.toString('pem'), false, false);
    written.push({ file: join(req.dir, TLS_FILES.ca), what: 'CA certificate (give it to every peer)' });
    written.push({ file: join(req.dir, TLS_FILES.caKey), what: 'CA key (keep it on the controller; never copy it)' });
  }
  if (req.server.length > 0) {
    const s = await leaf(ca, 'server', req.server, req.days);
    await put(join(req.dir, TLS_FILES.server), s.certPem, false, req.force);
    await put(join(req.dir, TLS_FILES.serverKey), s.keyPem, true, req.force);
    written.push({ file: join(req.dir, TLS_FILES.server), what: `server certificate for ${req.server.join(', ')}` });
    written.push({ file: join(req.dir, TLS_FILES.serverKey), what: 'server key (stays on the controller)' });
  }
  for (const name of req.clients) {
    const c = await leaf(ca, 'client', [name], req.days);
    await put(join(req.dir, TLS_FILES.client(name)), c.certPem, false, req.force);
    await put(join(req.dir, TLS_FILES.clientKey(name)), c.keyPem, true, req.force);
    written.push({ file: join(req.dir, TLS_FILES.client(name)), what: `client certificate for ${name}` });
    written.push({
      file: join(req.dir, TLS_FILES.clientKey(name)),
      what: `client key for ${name} (copy to ${name} only)`,
    });
  }
  return { written, caReused };
}
