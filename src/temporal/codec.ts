/**
 * Optional encryption at rest: a PayloadCodec that encrypts every payload (workflow inputs and
 * results, signals, queries, updates, activity inputs and results, memos) with AES-256-GCM
 * before it reaches Temporal, so directive texts and phone-homes are ciphertext in its database.
 *
 * Keys, off unless one of these is set (the first found wins):
 *   PEER_COMMS_CODEC_KEYS      `id1:base64key,id2:base64key` — the first one encrypts
 *   PEER_COMMS_CODEC_KEY_FILE  a file, one `id:base64key` a line (the first encrypts), mode 0600
 *   controller.codec.keyFile   the same file format, named in the peers file
 * Every loaded key decrypts the payloads that carry its id, so a rotation is: put the new key
 * first, keep the old ones after it until nothing encrypted with them is still needed.
 *
 * Each payload becomes `encoding: binary/encrypted`, metadata `encryption-key-id: <id>`, data
 * `IV (12 random bytes) ‖ ciphertext ‖ GCM tag (16 bytes)` of the whole serialized payload; the
 * key id is bound in as additional data. Key material is held in KeyObjects and never printed.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ConfigError } from '../config/load';
import { expandHome } from '../config/paths';
import { decodeTextFile, TextFileRefused } from '../config/text-file';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_ENCODING = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';
export const KEYS_ENV = 'PEER_COMMS_CODEC_KEYS';
export const KEY_FILE_ENV = 'PEER_COMMS_CODEC_KEY_FILE';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A decode that cannot be done: unknown key id, altered ciphertext, a malformed payload. */
export class CodecError extends Error {
  override name = 'CodecError';
}

export interface CodecKey {
  id: string;
  key: KeyObject;
}

/** Where the keys came from, for messages (never the keys themselves). */
export type KeySource = { kind: 'env'; name: string } | { kind: 'file'; path: string };

export function describeSource(source: KeySource): string {
  return source.kind === 'env' ? `$${source.name}` : source.path;
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined): string | undefined =>
  b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : undefined;

export class AesGcmCodec implements PayloadCodec {
  readonly currentKeyId: string;
  private readonly keys: ReadonlyMap<string, KeyObject>;

  /** `keys[0]` encrypts; every key decrypts the payloads that carry its id. */
  constructor(
    keys: readonly CodecKey[],
    readonly source?: KeySource,
  ) {
    const first = keys[0];
    if (!first) throw new CodecError('the payload codec needs at least one key');
    const map = new Map<string, KeyObject>();
    for (const k of keys) {
      if (map.has(k.id)) throw new CodecError(`the codec key id "${k.id}" is given twice`);
      if (k.key.symmetricKeySize !== KEY_BYTES)
        throw new CodecError(`the codec key "${k.id}" is not ${KEY_BYTES} bytes (AES-256)`);
      map.set(k.id, k.key);
    }
    this.currentKeyId = first.id;
    this.keys = map;
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  // (a throw inside the executor becomes a rejection, never a synchronous throw)
  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((p) => this.encrypt(p))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((p) => this.decrypt(p))));
  }

  private encrypt(payload: Payload): Payload {
    const key = this.keys.get(this.currentKeyId);
    if (!key) throw new CodecError(`the current codec key "${this.currentKeyId}" is missing`); // cannot happen
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(utf8(this.currentKeyId));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: { [METADATA_ENCODING]: utf8(ENCODING_ENCRYPTED), [METADATA_KEY_ID]: utf8(this.currentKeyId) },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    // Payloads written before encryption was turned on stay readable.
    if (text(payload.metadata?.[METADATA_ENCODING]) !== ENCODING_ENCRYPTED) return payload;
    const id = text(payload.metadata?.[METADATA_KEY_ID]);
    if (id === undefined) throw new CodecError(`an encrypted payload has no "${METADATA_KEY_ID}" metadata`);
    const key = this.keys.get(id);
    if (!key) {
      throw new CodecError(
        `a payload is encrypted with codec key id "${id}", which is not among the loaded keys (${this.keyIds.join(', ')}${this.source ? ` from ${describeSource(this.source)}` : ''}); add that key (after the current one) to decrypt it`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.byteLength < IV_BYTES + TAG_BYTES) {
      throw new CodecError(`an encrypted payload (key id "${id}") is too short to be one (${data.byteLength} bytes)`);
    }
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(utf8(id));
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new CodecError(
        `an encrypted payload (key id "${id}") failed its GCM authentication: the ciphertext was altered, or the key loaded under "${id}" is not the one that encrypted it`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/**
 * The codec of a client or worker with encryption off: passes every payload through, but an
 * encrypted one it is asked to read fails with what to set, not the SDK's "Unknown encoding".
 */
export class NoKeysCodec implements PayloadCodec {
  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads);
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => {
      for (const p of payloads) {
        if (text(p.metadata?.[METADATA_ENCODING]) !== ENCODING_ENCRYPTED) continue;
        throw new CodecError(
          `a payload is encrypted (codec key id "${text(p.metadata?.[METADATA_KEY_ID]) ?? '?'}"), but encryption at rest is off here: set ${KEYS_ENV} or ${KEY_FILE_ENV} (or controller.codec.keyFile) to the keys the workers use`,
        );
      }
      resolve(payloads);
    });
  }
}

/** Parses `id:base64key` entries; problems name the entry and id, never the key. */
export function parseKeys(entries: readonly { where: string; entry: string }[], source: KeySource): CodecKey[] {
  const problems: string[] = [];
  const keys: CodecKey[] = [];
  const seen = new Set<string>();
  for (const { where, entry } of entries) {
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${where}: expected id:base64key`);
      continue;
    }
    const id = entry.slice(0, colon).trim();
    const b64 = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      problems.push(`${where}: the key id must be 1–64 of A-Z a-z 0-9 . _ -`);
      continue;
    }
    if (seen.has(id)) {
      problems.push(`${where}: the key id "${id}" is given twice`);
      continue;
    }
    seen.add(id);
    const bytes = BASE64.test(b64) ? Buffer.from(b64, 'base64') : undefined;
    if (!bytes || bytes.length !== KEY_BYTES) {
      problems.push(
        `${where}: the key "${id}" must be ${KEY_BYTES} random bytes in base64 (e.g. \`openssl rand -base64 32\`)`,
      );
      continue;
    }
    keys.push({ id, key: createSecretKey(bytes) });
    bytes.fill(0);
  }
  if (problems.length === 0 && keys.length === 0) problems.push('no keys given');
  if (problems.length > 0) throw new ConfigError(describeSource(source), problems);
  return keys;
}

/** Reads a key file: a regular file readable by its owner only (0600 or 0400), one `id:base64` a line. */
export async function readKeyFile(path: string): Promise<CodecKey[]> {
  const full = expandHome(path);
  const source: KeySource = { kind: 'file', path: full };
  let content: string;
  try {
    const st = await stat(full);
    if (!st.isFile()) throw new ConfigError(full, ['the codec key file is not a regular file']);
    // POSIX modes only; on Windows the file's ACL is what protects it.
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw new ConfigError(full, [
        `the codec key file is readable or writable by others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); refused — run \`chmod 600 ${full}\``,
      ]);
    }
    // A key file made in Windows PowerShell 5.1 (`"id:…" > codec.key`) is UTF-16: decoded, not misread.
    const bytes = await readFile(full);
    try {
      content = decodeTextFile(bytes, 'the codec key file', { path: full }).text;
    } catch (err) {
      // Not the decoder's own words: they would quote a byte of the key.
      if (!(err instanceof TextFileRefused)) throw err;
      throw new ConfigError(full, [
        `the codec key file is neither UTF-8 nor UTF-16 with a byte-order mark; ${err.hint}`,
      ]);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(full, [
      `cannot read the codec key file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    ]);
  }
  const entries = content
    .split(/\r?\n/)
    .map((entry, i) => ({ where: `line ${i + 1}`, entry: entry.trim() }))
    .filter((e) => e.entry !== '' && !e.entry.startsWith('#'));
  return parseKeys(entries, source);
}

/** The part of the peers file the codec reads (controller.codec.keyFile). */
export interface CodecConfigSource {
  controller?: { codec?: { keyFile?: string } };
}

/**
 * The codec the environment (or the config) asks for, or undefined when encryption is off.
 * A bad key setting is a ConfigError (the CLI's exit 2), never a silent fallback to plain text.
 */
export async function codecFromEnv(
  config?: CodecConfigSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AesGcmCodec | undefined> {
  const inline = env[KEYS_ENV];
  if (inline !== undefined && inline.trim() !== '') {
    const source: KeySource = { kind: 'env', name: KEYS_ENV };
    const entries = inline
      .split(',')
      .map((entry, i) => ({ where: `entry ${i + 1}`, entry: entry.trim() }))
      .filter((e) => e.entry !== '');
    return new AesGcmCodec(parseKeys(entries, source), source);
  }
  const file = env[KEY_FILE_ENV]?.trim() || config?.controller?.codec?.keyFile;
  if (file) return new AesGcmCodec(await readKeyFile(file), { kind: 'file', path: expandHome(file) });
  return undefined;
}

/** The data converter for a client or worker: the codec when encryption is on, else nothing. */
export async function dataConverterFromEnv(
  config?: CodecConfigSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DataConverter | undefined> {
  const codec = await codecFromEnv(config, env);
  return codec ? { payloadCodecs: [codec] } : undefined;
}

/**
 * Spread into `new Client({...})` or `Worker.create({...})`: the codec's data converter when
 * encryption is on; when off, one that changes nothing but explains an encrypted payload.
 */
export async function codecOptions(
  config?: CodecConfigSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ dataConverter: DataConverter }> {
  const dataConverter = await dataConverterFromEnv(config, env);
  return { dataConverter: dataConverter ?? { payloadCodecs: [new NoKeysCodec()] } };
}
