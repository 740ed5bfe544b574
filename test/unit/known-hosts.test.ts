import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  fingerprintSha256,
  hostFieldMatches,
  hostLookupName,
  keyBlobType,
  knownKeyTypes,
  verifyHostKey,
} from '../../src/peer-access/known-hosts';
import { hostKeyAlgorithms, hostKeyMessage } from '../../src/peer-access/ssh-connect';

const run = promisify(execFile);

interface Key {
  line: string; // "type base64"
  blob: Buffer;
  fp: string; // from ssh-keygen -l
}

let dir: string;
let a: Key;
let b: Key;
let ec: Key;

async function makeKey(name: string, type: 'ed25519' | 'ecdsa'): Promise<Key> {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', path]);
  const [t, b64] = (await readFile(`${path}.pub`, 'utf8')).trim().split(' ');
  const fp = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`])).stdout.split(' ')[1]!;
  return { line: `${t} ${b64}`, blob: Buffer.from(b64!, 'base64'), fp };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peer-comms-kh-'));
  [a, b, ec] = await Promise.all([makeKey('a', 'ed25519'), makeKey('b', 'ed25519'), makeKey('c', 'ecdsa')]);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void describe('fingerprints and blobs', () => {
  void it('fingerprintSha256 matches ssh-keygen -l', () => {
    assert.equal(fingerprintSha256(a.blob), a.fp);
    assert.equal(fingerprintSha256(ec.blob), ec.fp);
    assert.ok(!fingerprintSha256(a.blob).endsWith('='));
  });

  void it('keyBlobType reads the type inside the blob', () => {
    assert.equal(keyBlobType(a.blob), 'ssh-ed25519');
    assert.equal(keyBlobType(ec.blob), 'ecdsa-sha2-nistp256');
    assert.equal(keyBlobType(Buffer.from([0, 0])), 'unknown');
  });

  void it('hostLookupName uses [host]:port except for port 22', () => {
    assert.equal(hostLookupName('Peer.LAN', 22), 'peer.lan');
    assert.equal(hostLookupName('127.0.0.1', 2222), '[127.0.0.1]:2222');
  });
});

void describe('host patterns', () => {
  void it('matches lists, wildcards and negation', () => {
    assert.ok(hostFieldMatches('alpha,beta', 'beta'));
    assert.ok(!hostFieldMatches('alpha,beta', 'gamma'));
    assert.ok(hostFieldMatches('*.lan', 'gpu1.lan'));
    assert.ok(hostFieldMatches('gpu?.lan', 'gpu7.lan'));
    assert.ok(!hostFieldMatches('gpu?.lan', 'gpu10.lan'));
    assert.ok(!hostFieldMatches('*.lan,!gpu1.lan', 'gpu1.lan'));
    assert.ok(hostFieldMatches('*.lan,!gpu1.lan', 'gpu2.lan'));
    assert.ok(!hostFieldMatches('!gpu2.lan', 'gpu2.lan'), 'a negation alone matches nothing');
    assert.ok(hostFieldMatches('[127.0.0.1]:2222', '[127.0.0.1]:2222'));
    assert.ok(!hostFieldMatches('[127.0.0.1]:2222', '[127.0.0.1]:2223'));
    assert.ok(hostFieldMatches('GPU1.lan', 'gpu1.lan'), 'case-insensitive');
    assert.ok(!hostFieldMatches('a.b', 'axb'), 'a dot is literal');
  });
});

void describe('verifyHostKey', () => {
  void it('accepts a plain entry and a non-22 port in [host]:port form', () => {
    const text = `# comment\n\npeer1,peer1.lan.invalid ${a.line} me@x\n[127.0.0.1]:2222 ${b.line}\n`;
    assert.deepEqual(verifyHostKey(text, 'peer1', 22, a.blob), { ok: true });
    assert.deepEqual(verifyHostKey(text, 'peer1.lan.invalid', 22, a.blob), { ok: true });
    assert.deepEqual(verifyHostKey(text, '127.0.0.1', 2222, b.blob), { ok: true });
    const wrongPort = verifyHostKey(text, 'peer1', 2222, a.blob);
    assert.equal(wrongPort.ok, false);
    assert.equal(!wrongPort.ok && wrongPort.reason, 'unknown');
  });

  void it('reports an unknown host with fingerprint and type', () => {
    const v = verifyHostKey(`other ${a.line}\n`, 'peer1', 22, b.blob);
    assert.deepEqual(v, {
      ok: false,
      reason: 'unknown',
      fingerprint: b.fp,
      keyType: 'ssh-ed25519',
      knownTypes: [],
      lines: [],
    });
  });

  void it('reports a changed key with the line of the old one', () => {
    const v = verifyHostKey(`x ${ec.line}\n\npeer1 ${a.line}\n`, 'peer1', 22, b.blob);
    assert.equal(v.ok, false);
    if (v.ok) return;
    assert.equal(v.reason, 'changed');
    assert.equal(v.fingerprint, b.fp);
    assert.deepEqual(v.lines, [3]);
    const msg = hostKeyMessage({ peer: 'gpu1', host: 'peer1', port: 22, knownHostsPath: '/k' }, v);
    assert.match(msg, /man-in-the-middle/);
    assert.ok(msg.includes(b.fp) && msg.includes('/k') && msg.includes('line 3'));
  });

  void it('a key of another type only is unknown, listing the known types', () => {
    const v = verifyHostKey(`peer1 ${ec.line}\n`, 'peer1', 22, a.blob);
    assert.equal(!v.ok && v.reason, 'unknown');
    assert.deepEqual(!v.ok && v.knownTypes, ['ecdsa-sha2-nistp256']);
  });

  void it('accepts a hashed entry made by ssh-keygen -H, for that host and port only', async () => {
    const path = join(dir, 'known_hosts_hashed');
    await writeFile(path, `[127.0.0.1]:2222 ${a.line}\npeer1 ${b.line}\n`);
    await run('ssh-keygen', ['-H', '-f', path]);
    const text = await readFile(path, 'utf8');
    assert.ok(
      text
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith('|1|')),
      text,
    );
    assert.deepEqual(verifyHostKey(text, '127.0.0.1', 2222, a.blob), { ok: true });
    assert.deepEqual(verifyHostKey(text, 'PEER1', 22, b.blob), { ok: true });
    const other = verifyHostKey(text, '127.0.0.1', 2223, a.blob);
    assert.equal(!other.ok && other.reason, 'unknown');
    const changed = verifyHostKey(text, '127.0.0.1', 2222, b.blob);
    assert.equal(!changed.ok && changed.reason, 'changed');
  });

  void it('refuses a @revoked key even when a plain line lists it', () => {
    const text = `peer1 ${a.line}\n@revoked * ${a.line}\n`;
    const v = verifyHostKey(text, 'peer1', 22, a.blob);
    assert.equal(!v.ok && v.reason, 'revoked');
    assert.deepEqual(!v.ok && v.lines, [2]);
  });

  void it('ignores @cert-authority lines, unknown markers and malformed lines', () => {
    const text = `@cert-authority peer1 ${a.line}\n@bogus peer1 ${a.line}\npeer1 ssh-ed25519\npeer1 ssh-ed25519 !!notbase64!!\n`;
    const v = verifyHostKey(text, 'peer1', 22, a.blob);
    assert.equal(!v.ok && v.reason, 'unknown');
    assert.deepEqual(knownKeyTypes(text, 'peer1', 22), []);
  });

  void it('handles CRLF files', () => {
    assert.deepEqual(verifyHostKey(`peer1 ${a.line}\r\n`, 'peer1', 22, a.blob), { ok: true });
  });
});

void describe('hostKeyAlgorithms', () => {
  void it('offers the known key types first', () => {
    assert.equal(hostKeyAlgorithms([]), undefined);
    assert.deepEqual(hostKeyAlgorithms(['ecdsa-sha2-nistp256'])?.slice(0, 2), ['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    assert.deepEqual(hostKeyAlgorithms(['ssh-rsa'])?.slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });
});
