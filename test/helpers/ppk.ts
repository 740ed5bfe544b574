/**
 * Writes PuTTY `.ppk` files of format 2 for tests (no puttygen needed): an RSA key, plain or
 * aes256-cbc with a passphrase, laid out as PuTTY's own sshpubk.c writes it. The key is made
 * fresh each time; nothing private is kept in the repository.
 */
import { createCipheriv, createHash, createHmac, generateKeyPairSync } from 'node:crypto';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const sshString = (b: Buffer | string): Buffer => {
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([u32(buf.length), buf]);
};
/** An SSH mpint from a JWK base64url field (big-endian, a leading 0 when the top bit is set). */
const mpint = (b64url: string): Buffer => {
  let b = Buffer.from(b64url, 'base64url');
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if ((b[0]! & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
};
const lines = (b: Buffer): string[] => b.toString('base64').match(/.{1,64}/g) ?? [];

export interface TestPpk {
  /** The .ppk file's text. */
  text: string;
  /** `ssh-rsa AAAA… comment`, for authorized_keys. */
  publicLine: string;
}

export function rsaPpkV2(opts: { passphrase?: string; comment?: string } = {}): TestPpk {
  const comment = opts.comment ?? 'peer-comms-test';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const field = (k: string): string => {
    const v = jwk[k];
    if (v === undefined) throw new Error(`RSA JWK has no ${k}`);
    return v;
  };
  const pub = Buffer.concat([sshString('ssh-rsa'), mpint(field('e')), mpint(field('n'))]);
  // JWK qi is q^-1 mod p, which is PuTTY's iqmp.
  let priv = Buffer.concat([mpint(field('d')), mpint(field('p')), mpint(field('q')), mpint(field('qi'))]);
  const encryption = opts.passphrase ? 'aes256-cbc' : 'none';
  if (opts.passphrase) {
    // Padded to the cipher block with bytes of the SHA-1 of the unpadded blob, as PuTTY does.
    const pad = (16 - (priv.length % 16)) % 16;
    priv = Buffer.concat([priv, createHash('sha1').update(priv).digest().subarray(0, pad)]);
  }
  const macKey = createHash('sha1')
    .update('putty-private-key-file-mac-key')
    .update(opts.passphrase ?? '')
    .digest();
  const mac = createHmac('sha1', macKey)
    .update(
      Buffer.concat([sshString('ssh-rsa'), sshString(encryption), sshString(comment), sshString(pub), sshString(priv)]),
    )
    .digest('hex');
  let stored = priv;
  if (opts.passphrase) {
    const key = Buffer.concat([
      createHash('sha1').update(u32(0)).update(opts.passphrase).digest(),
      createHash('sha1').update(u32(1)).update(opts.passphrase).digest(),
    ]).subarray(0, 32);
    const cipher = createCipheriv('aes-256-cbc', key, Buffer.alloc(16));
    cipher.setAutoPadding(false);
    stored = Buffer.concat([cipher.update(priv), cipher.final()]);
  }
  const pubLines = lines(pub);
  const privLines = lines(stored);
  const text = [
    'PuTTY-User-Key-File-2: ssh-rsa',
    `Encryption: ${encryption}`,
    `Comment: ${comment}`,
    `Public-Lines: ${pubLines.length}`,
    ...pubLines,
    `Private-Lines: ${privLines.length}`,
    ...privLines,
    `Private-MAC: ${mac}`,
    '',
  ].join('\r\n');
  return { text, publicLine: `ssh-rsa ${pub.toString('base64')} ${comment}` };
}
