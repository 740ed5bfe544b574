/**
 * What a private key file holds, as ssh2 will see it: usable as is, passphrase-protected, or a
 * format ssh2 cannot read (with the command that converts it). Pure over the file's bytes.
 *
 * ssh2 (1.17) reads OpenSSH keys (new format and PEM, encrypted or not) and PuTTY `.ppk` files of
 * format 2 holding RSA or DSA keys, plain or aes256-cbc. It cannot read `.ppk` format 3 (PuTTY
 * 0.75 and later write it; its encryption is Argon2) nor format-2 files of other key types.
 */
import { utils } from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { quotePath, shellFor } from '../config/quote';

/** The variable a passphrase is read from when the peer names none (`passphraseEnv`). */
export const DEFAULT_PASSPHRASE_ENV = 'PEER_COMMS_KEY_PASSPHRASE';

export type KeyInspection =
  | { kind: 'ok' }
  | { kind: 'encrypted' }
  /** Cannot be used: `problem` says why, `fix` what to do. */
  | { kind: 'unusable'; problem: string; fix: string };

const PPK_HEADER = /^PuTTY-User-Key-File-(\d+):\s*(\S+)\s*\r?\nEncryption:\s*(\S+)/;
const PPK_V2_TYPES = ['ssh-rsa', 'ssh-dss'];

/**
 * The one command that turns a .ppk into an OpenSSH key ssh2 reads (it keeps the passphrase),
 * its paths quoted for the shell a person on `platform` pastes it into.
 */
export function puttygenCommand(path: string, platform: NodeJS.Platform = process.platform): string {
  const out = path.replace(/\.ppk$/i, '') === path ? `${path}.openssh` : path.replace(/\.ppk$/i, '');
  const shell = shellFor(platform);
  return `puttygen ${quotePath(shell, path)} -O private-openssh -o ${quotePath(shell, out)}`;
}

/**
 * Reads the key without a passphrase: usable, encrypted, or unusable (and why, with a command
 * for `platform`'s shell).
 */
export function inspectKey(path: string, bytes: Buffer, platform: NodeJS.Platform = process.platform): KeyInspection {
  const text = bytes.subarray(0, 200).toString('utf8');
  const ppk = PPK_HEADER.exec(text);
  if (ppk) {
    const [, version, type, encryption] = ppk;
    if (version !== '2' || !PPK_V2_TYPES.includes(type ?? '')) {
      const what =
        version !== '2'
          ? `a PuTTY key of format ${version}${encryption !== 'none' ? ` (${encryption}, passphrase hashed with Argon2)` : ''}`
          : `a PuTTY ${type} key`;
      return {
        kind: 'unusable',
        problem: `is ${what}, which the SSH library (ssh2) cannot read; it reads only format-2 RSA .ppk files`,
        fix: `convert it once to an OpenSSH key and point privateKey at the result: ${puttygenCommand(path, platform)} (or in PuTTYgen: Load, then Conversions → Export OpenSSH key); or load it into Pageant and set agent: pageant`,
      };
    }
  }
  const parsed = utils.parseKey(bytes);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) return { kind: 'encrypted' };
    return {
      kind: 'unusable',
      problem: `is not a private key ssh2 can read (${parsed.message})`,
      fix: 'give an OpenSSH private key (ssh-keygen writes one) or a format-2 RSA .ppk',
    };
  }
  // Typed as one key; ssh2's own client still copes with an array (a multi-key OpenSSH file).
  const key: ParsedKey | undefined = Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed;
  if (!key?.isPrivateKey()) {
    return {
      kind: 'unusable',
      problem: 'is a public key',
      fix: `privateKey names the private half (${path.replace(/\.pub$/i, '')}, without .pub)`,
    };
  }
  return { kind: 'ok' };
}

/** Whether the passphrase opens the (encrypted) key: undefined when it does, else ssh2's reason. */
export function passphraseProblem(bytes: Buffer, passphrase: string): string | undefined {
  const parsed = utils.parseKey(bytes, passphrase);
  if (!(parsed instanceof Error)) return undefined;
  return parsed.message;
}
