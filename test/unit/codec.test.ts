/**
 * The AES-256-GCM payload codec: round trip, key rotation, unknown key ids, tampering, and where
 * keys come from (environment, key file with its permission check, the peers file).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { codecServerSettings, startCodecServer } from '../../src/cli/codec-command';
import { UsageError } from '../../src/cli/exit';
import { ConfigError } from '../../src/config/load';
import {
  AesGcmCodec,
  CodecError,
  ENCODING_ENCRYPTED,
  KEY_FILE_ENV,
  KEYS_ENV,
  NoKeysCodec,
  codecFromEnv,
  codecOptions,
  dataConverterFromEnv,
} from '../../src/temporal/codec';

const b64 = () => randomBytes(32).toString('base64');
const str = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const SECRET = 'directive: rotate the prod database password to hunter2-ZQX';

async function codecOf(keys: string): Promise<AesGcmCodec> {
  const codec = await codecFromEnv(undefined, { [KEYS_ENV]: keys });
  assert.ok(codec, 'encryption should be on');
  return codec;
}

function payloadOf(value: unknown): Payload {
  return defaultPayloadConverter.toPayload(value);
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('AesGcmCodec', () => {
  it('round-trips payloads: binary/encrypted with a key id, a fresh IV each time, no plain text', async () => {
    const codec = await codecOf(`k1:${b64()}`);
    const original = payloadOf({ text: SECRET, n: 1 });
    const [a, b] = await codec.encode([original, original]);
    assert.ok(a && b);
    assert.equal(str(a.metadata?.encoding), ENCODING_ENCRYPTED);
    assert.equal(str(a.metadata?.['encryption-key-id']), 'k1');
    assert.ok(!Buffer.from(a.data ?? []).includes(Buffer.from('hunter2')), 'plain text in the ciphertext');
    assert.notDeepEqual(Buffer.from(a.data ?? []), Buffer.from(b.data ?? []), 'the same IV was used twice');
    assert.notDeepEqual(Buffer.from(a.data ?? []).subarray(0, 12), Buffer.from(b.data ?? []).subarray(0, 12));
    const [back] = await codec.decode([a]);
    assert.ok(back);
    assert.deepEqual(defaultPayloadConverter.fromPayload(back), { text: SECRET, n: 1 });
    assert.equal(str(back.metadata?.encoding), 'json/plain');
    assert.deepEqual(await codec.decode([]), []);
  });

  it('passes payloads that were never encrypted through decode (histories from before it was turned on)', async () => {
    const codec = await codecOf(`k1:${b64()}`);
    const plain = payloadOf('hello');
    const [out] = await codec.decode([plain]);
    assert.equal(out, plain);
  });

  it('rotation: the first key encrypts, an older key still decrypts what it encrypted', async () => {
    const oldKey = b64();
    const newKey = b64();
    const before = await codecOf(`2025-01:${oldKey}`);
    const [old] = await before.encode([payloadOf(SECRET)]);
    const rotated = await codecOf(`2026-06:${newKey},2025-01:${oldKey}`);
    assert.equal(rotated.currentKeyId, '2026-06');
    assert.deepEqual(rotated.keyIds, ['2026-06', '2025-01']);
    const [fresh] = await rotated.encode([payloadOf(SECRET)]);
    assert.ok(old && fresh);
    assert.equal(str(fresh.metadata?.['encryption-key-id']), '2026-06');
    const [a, b] = await rotated.decode([old, fresh]);
    assert.ok(a && b);
    assert.equal(defaultPayloadConverter.fromPayload(a), SECRET);
    assert.equal(defaultPayloadConverter.fromPayload(b), SECRET);
  });

  it('an unknown key id fails with a message naming the id and the loaded ones', async () => {
    const [enc] = await (await codecOf(`gone:${b64()}`)).encode([payloadOf(SECRET)]);
    assert.ok(enc);
    const other = await codecOf(`k2:${b64()}`);
    const err = await refusal(other.decode([enc]));
    assert.ok(err instanceof CodecError);
    assert.match(err.message, /key id "gone"/);
    assert.match(err.message, /loaded keys \(k2 from \$PEER_COMMS_CODEC_KEYS\)/);
  });

  it('tampered ciphertext, tag or key id fails the GCM check', async () => {
    const codec = await codecOf(`k1:${b64()}`);
    const [enc] = await codec.encode([payloadOf(SECRET)]);
    assert.ok(enc?.data);
    for (const at of [12, 20, enc.data.length - 1]) {
      const data = Buffer.from(enc.data);
      data[at] = (data[at] ?? 0) ^ 0x01;
      const err = await refusal(codec.decode([{ ...enc, data }]));
      assert.match(err.message, /failed its GCM authentication/, `byte ${at}`);
    }
    // the same ciphertext relabelled with another loaded key's id
    const two = await codecOf(`k1:${b64()},k2:${b64()}`);
    const [e2] = await two.encode([payloadOf(SECRET)]);
    assert.ok(e2);
    const relabelled = { ...e2, metadata: { ...e2.metadata, 'encryption-key-id': Buffer.from('k2') } };
    assert.match((await refusal(two.decode([relabelled]))).message, /GCM authentication/);
    // the wrong key under the right id
    const wrong = await codecOf(`k1:${b64()}`);
    assert.match((await refusal(wrong.decode([enc]))).message, /GCM authentication/);
    // too short to hold an IV and a tag
    const short = { ...enc, data: Buffer.alloc(10) };
    assert.match((await refusal(codec.decode([short]))).message, /too short/);
  });
});

describe('codec keys', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peer-comms-codec-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is off by default', async () => {
    assert.equal(await codecFromEnv(undefined, {}), undefined);
    assert.equal(await codecFromEnv({ controller: {} }, { [KEYS_ENV]: ' ' }), undefined);
    assert.equal(await dataConverterFromEnv(undefined, {}), undefined);
  });

  it('off: clients and workers pass payloads through, and name what to set for an encrypted one', async () => {
    const codecs = (await codecOptions(undefined, {})).dataConverter.payloadCodecs ?? [];
    assert.equal(codecs.length, 1);
    const off = codecs[0]!;
    assert.ok(off instanceof NoKeysCodec);
    const plain = payloadOf({ text: SECRET });
    assert.deepEqual(await off.encode([plain]), [plain]);
    assert.deepEqual(await off.decode([plain]), [plain]);
    const [enc] = await (await codecOf(`k9:${b64()}`)).encode([plain]);
    assert.ok(enc);
    const err = await refusal(off.decode([plain, enc]));
    assert.ok(err instanceof CodecError);
    assert.match(
      err.message,
      /encrypted \(codec key id "k9"\), but encryption at rest is off here: set PEER_COMMS_CODEC_KEYS/,
    );
  });

  it('gives a data converter with the codec when on', async () => {
    const opts = await codecOptions(undefined, { [KEYS_ENV]: `k1:${b64()}` });
    assert.equal(opts.dataConverter?.payloadCodecs?.length, 1);
    assert.ok(opts.dataConverter?.payloadCodecs?.[0] instanceof AesGcmCodec);
  });

  it('refuses bad keys naming the entry and id, never the key', async () => {
    const short = randomBytes(16).toString('base64');
    const err = await refusal(
      codecFromEnv(undefined, { [KEYS_ENV]: `ok:${b64()},bad:${short},nocolon,ok:${b64()},b@d:${b64()}` }),
    );
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /entry 2: the key "bad" must be 32 random bytes/);
    assert.match(err.message, /entry 3: expected id:base64key/);
    assert.match(err.message, /entry 4: the key id "ok" is given twice/);
    assert.match(err.message, /entry 5: the key id must be/);
    assert.ok(!err.message.includes(short), 'the key is in the message');
    assert.match(err.message, /^\$PEER_COMMS_CODEC_KEYS: 4 problems/);
  });

  it('reads a 0600 key file (comments, blank lines, CRLF), the first key current', async () => {
    const file = join(dir, 'keys');
    const k1 = b64();
    await writeFile(file, `# peer-comms codec keys\r\nnew:${k1}\r\n\r\nold:${b64()}\r\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    const codec = await codecFromEnv(undefined, { [KEY_FILE_ENV]: file });
    assert.ok(codec);
    assert.deepEqual(codec.keyIds, ['new', 'old']);
    assert.equal(codec.currentKeyId, 'new');
    // the same keys inline decrypt what the file's codec encrypted
    const [enc] = await codec.encode([payloadOf(SECRET)]);
    assert.ok(enc);
    const [dec] = await (await codecOf(`new:${k1}`)).decode([enc]);
    assert.ok(dec);
    assert.equal(defaultPayloadConverter.fromPayload(dec), SECRET);
  });

  it('takes the key file from controller.codec.keyFile; the environment comes first', async () => {
    const file = join(dir, 'config-keys');
    await writeFile(file, `fromconfig:${b64()}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    const config = { controller: { codec: { keyFile: file } } };
    assert.equal((await codecFromEnv(config, {}))?.currentKeyId, 'fromconfig');
    assert.equal((await codecFromEnv(config, { [KEYS_ENV]: `fromenv:${b64()}` }))?.currentKeyId, 'fromenv');
  });

  it(
    'refuses a key file others can read or write, naming the mode and the fix',
    { skip: process.platform === 'win32' },
    async () => {
      const file = join(dir, 'open-keys');
      await writeFile(file, `k1:${b64()}\n`);
      for (const mode of [0o644, 0o640, 0o602]) {
        await chmod(file, mode);
        const err = await refusal(codecFromEnv(undefined, { [KEY_FILE_ENV]: file }));
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, new RegExp(`mode 0${mode.toString(8)}.*chmod 600`));
      }
      await chmod(file, 0o400);
      assert.ok(await codecFromEnv(undefined, { [KEY_FILE_ENV]: file }), 'owner read-only is fine');
    },
  );

  it('refuses a missing or empty key file', async () => {
    const missing = await refusal(codecFromEnv(undefined, { [KEY_FILE_ENV]: join(dir, 'nope') }));
    assert.match(missing.message, /cannot read the codec key file: ENOENT/);
    const empty = join(dir, 'empty');
    await writeFile(empty, '# nothing\n', { mode: 0o600 });
    await chmod(empty, 0o600);
    assert.match((await refusal(codecFromEnv(undefined, { [KEY_FILE_ENV]: empty }))).message, /no keys given/);
  });

  it('keeps key material out of inspection and JSON', async () => {
    const key = b64();
    const codec = await codecOf(`k1:${key}`);
    const { inspect } = await import('node:util');
    assert.ok(!inspect(codec, { depth: 10, showHidden: true }).includes(key));
    assert.ok(!JSON.stringify(codec).includes(key));
  });
});

describe('codec-server options', () => {
  it('defaults to 127.0.0.1:8888 and the dev UI origins; takes a comma-separated origin list', () => {
    assert.deepEqual(codecServerSettings({ port: '8888', host: '127.0.0.1' }), {
      port: 8888,
      host: '127.0.0.1',
      corsOrigins: ['http://127.0.0.1:8233', 'http://localhost:8233'],
    });
    assert.deepEqual(
      codecServerSettings({
        port: '0',
        host: '127.0.0.1',
        corsOrigin: 'http://127.0.0.1:18233/, https://ui.example:443',
      }).corsOrigins,
      ['http://127.0.0.1:18233', 'https://ui.example:443'],
    );
  });

  it('refuses a bad port or an origin that is not one (usage error)', () => {
    assert.throws(() => codecServerSettings({ port: 'x', host: '127.0.0.1' }), UsageError);
    assert.throws(() => codecServerSettings({ port: '70000', host: '127.0.0.1' }), UsageError);
    assert.throws(
      () => codecServerSettings({ port: '1', host: '127.0.0.1', corsOrigin: 'http://x/ui' }),
      /not an origin/,
    );
  });

  it('a port in use gives a readable error', async () => {
    const codec = await codecOf(`k1:${b64()}`);
    const first = await startCodecServer({ codec, port: 0 });
    try {
      const err = await refusal(startCodecServer({ codec, port: first.port }));
      assert.match(err.message, new RegExp(`cannot listen on 127.0.0.1:${first.port} \\(EADDRINUSE\\)`));
    } finally {
      await first.close();
    }
  });
});
