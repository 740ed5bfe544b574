/**
 * Where a key's passphrase comes from when a connection is opened: one typed at the start of
 * this process (kept in its memory only, never on disk, never in a workflow input), else the
 * environment variable the peer names (`passphraseEnv`, default PEER_COMMS_KEY_PASSPHRASE).
 */
import { DEFAULT_PASSPHRASE_ENV } from './private-key';

/** Passphrases typed (or checked) at the start of this process, by absolute key path. */
export const typedPassphrases = new Map<string, string>();

export function passphraseEnvName(peer: { passphraseEnv?: string }): string {
  return peer.passphraseEnv ?? DEFAULT_PASSPHRASE_ENV;
}

export function passphraseFor(
  keyPath: string,
  envName: string,
  typed: ReadonlyMap<string, string> = typedPassphrases,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const fromEnv = env[envName];
  return typed.get(keyPath) ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
}
