/**
 * OpenSSH known_hosts, read-only: which host keys vouch for a host.
 *
 * Understands plain host lists (comma-separated, `[host]:port` for ports other than 22, `*` and
 * `?` wildcards, `!` negation), hashed entries (`|1|salt|hmac`, HMAC-SHA1 of the host string
 * keyed with the salt), `@revoked` (that key is never accepted, for any host) and
 * `@cert-authority` (ignored: certificates are not used here).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type HostKeyVerdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'unknown' | 'changed' | 'revoked';
      /** `SHA256:<base64>` of the presented key. */
      fingerprint: string;
      /** Key type named inside the presented key blob, e.g. `ssh-ed25519`. */
      keyType: string;
      /** Key types known_hosts does hold for this host (empty when the host is not listed at all). */
      knownTypes: string[];
      /** 1-based line numbers of the entries involved (the old key for 'changed', the @revoked line). */
      lines: number[];
    };

interface KnownHostsEntry {
  line: number;
  marker: 'revoked' | 'cert-authority' | undefined;
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** OpenSSH style fingerprint: `SHA256:` + base64 of the SHA-256 of the key blob, no `=` padding. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The name a host is looked up under: `host` for port 22, `[host]:port` otherwise (lower case). */
export function hostLookupName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** The key type string at the start of an SSH wire-format public key blob. */
export function keyBlobType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

function parseEntries(text: string): KnownHostsEntry[] {
  const out: KnownHostsEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostsEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // unknown marker: OpenSSH skips the line too
    }
    const [hosts, keyType, keyB64] = fields;
    if (!hosts || !keyType || !keyB64) continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyB64)) continue;
    out.push({ line: i + 1, marker, hosts, keyType, key: Buffer.from(keyB64, 'base64') });
  }
  return out;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(field: string, name: string): boolean {
  // |1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const want = Buffer.from(parts[3] ?? '', 'base64');
  if (salt.length === 0 || want.length !== 20) return false;
  const got = createHmac('sha1', salt).update(name).digest();
  return timingSafeEqual(got, want);
}

/** Whether a host field (pattern list or hashed entry) names `name` (see hostLookupName). */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatches(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern === '') continue;
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (!globToRegExp(p).test(name)) continue;
    if (negated) return false; // a matching negation vetoes the whole line
    matched = true;
  }
  return matched;
}

/** Key types that known_hosts holds (not revoked, not CA) for this host. */
export function knownKeyTypes(knownHostsText: string, host: string, port: number): string[] {
  const name = hostLookupName(host, port);
  const types = new Set<string>();
  for (const e of parseEntries(knownHostsText)) {
    if (e.marker === undefined && hostFieldMatches(e.hosts, name)) types.add(e.keyType);
  }
  return [...types];
}

/**
 * Does known_hosts vouch for `keyBlob` as the host key of host:port?
 * Revoked wins over everything; then an exact match is ok; a listed host with a different key
 * of the same type is 'changed'; anything else is 'unknown' (knownTypes tells whether other
 * key types are on record).
 */
export function verifyHostKey(knownHostsText: string, host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const name = hostLookupName(host, port);
  const keyType = keyBlobType(keyBlob);
  const entries = parseEntries(knownHostsText);
  const fail = (reason: 'unknown' | 'changed' | 'revoked', lines: number[]): HostKeyVerdict => ({
    ok: false,
    reason,
    fingerprint: fingerprintSha256(keyBlob),
    keyType,
    knownTypes: knownKeyTypes(knownHostsText, host, port),
    lines,
  });

  const revoked = entries.filter((e) => e.marker === 'revoked' && e.key.equals(keyBlob));
  if (revoked.length > 0)
    return fail(
      'revoked',
      revoked.map((e) => e.line),
    );

  const forHost = entries.filter((e) => e.marker === undefined && hostFieldMatches(e.hosts, name));
  if (forHost.some((e) => e.key.equals(keyBlob))) return { ok: true };
  const sameType = forHost.filter((e) => e.keyType === keyType);
  if (sameType.length > 0)
    return fail(
      'changed',
      sameType.map((e) => e.line),
    );
  return fail('unknown', []);
}
