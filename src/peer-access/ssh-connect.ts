/**
 * Opening one verified, authenticated ssh2 connection to a peer. Every failure becomes one of
 * HostKeyRejected / HostKeyRevoked (never retried), PeerAuthFailed (never retried) or
 * PeerUnreachable (worth retrying).
 */
import { readFile } from 'node:fs/promises';
import { Client } from 'ssh2';
import type { ConnectConfig, ServerHostKeyAlgorithm } from 'ssh2';
import { knownKeyTypes, verifyHostKey } from './known-hosts';
import type { HostKeyVerdict } from './known-hosts';
import { addHostKeyCommand, knownHostsNote, removeHostKeyCommand } from './host-key-commands';
import { decodeKnownHosts } from '../config/text-file';
import { HostKeyRejected, HostKeyRevoked, PeerAuthFailed, PeerUnreachable } from './shell';
import { planAuth, refusedHint, type AuthPlan } from './ssh-auth';
import type { AgentSetting } from './ssh-agent';

export interface SshTarget {
  /** Peer name from the config, for error messages. */
  peer: string;
  host: string;
  port: number;
  user: string;
  privateKeyPath?: string;
  passphrase?: string;
  /** Where the passphrase comes from, named in messages (default PEER_COMMS_KEY_PASSPHRASE). */
  passphraseEnv?: string;
  /** The peer's `agent:` setting (see chooseAgent): true, 'pageant', 'openssh' or a socket / pipe path. */
  useAgent?: AgentSetting;
  knownHostsPath: string;
  /** SSH handshake deadline. Default 10000. */
  readyTimeoutMs?: number;
  /** SSH keepalive period. Default 15000. */
  keepaliveIntervalMs?: number;
}

/** ssh2's own default host key order; the key types known_hosts holds for the host go first. */
const HOST_KEY_ORDER: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Offer the host key algorithms known_hosts can vouch for first, as OpenSSH does. */
export function hostKeyAlgorithms(knownTypes: readonly string[]): ServerHostKeyAlgorithm[] | undefined {
  const preferred: string[] = knownTypes.flatMap((t) =>
    t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t],
  );
  const first = HOST_KEY_ORDER.filter((a) => preferred.includes(a));
  if (first.length === 0) return undefined;
  return [...first, ...HOST_KEY_ORDER.filter((a) => !first.includes(a))];
}

/** What hostKeyMessage needs besides the verdict. */
export interface HostKeyMessageOptions {
  /** The shell the suggested commands are written for (default: this process's platform). */
  platform?: NodeJS.Platform;
  /** What reading known_hosts found about its encoding (knownHostsNote): said once, in the message. */
  knownHostsNote?: string;
}

/**
 * The message a person reads when the host key is refused: what was seen and what to do, with
 * the commands quoted for the shell they will paste them into (PowerShell on Windows).
 */
export function hostKeyMessage(
  target: Pick<SshTarget, 'peer' | 'host' | 'port' | 'knownHostsPath'>,
  verdict: Extract<HostKeyVerdict, { ok: false }>,
  knownHostsMissing = false,
  opts: HostKeyMessageOptions = {},
): string {
  const { peer, host, port, knownHostsPath } = target;
  const platform = opts.platform ?? process.platform;
  const where = `${host}:${port}`;
  const lookup = port === 22 ? host : `[${host}]:${port}`;
  const add = addHostKeyCommand(host, port, knownHostsPath, platform);
  const note = opts.knownHostsNote ? ` Note: ${opts.knownHostsNote}` : '';
  const lines = verdict.lines.length > 0 ? ` (line ${verdict.lines.join(', ')})` : '';
  switch (verdict.reason) {
    case 'unknown': {
      const file = knownHostsMissing ? `${knownHostsPath}, which does not exist` : knownHostsPath;
      const other =
        verdict.knownTypes.length > 0
          ? ` known_hosts holds only ${verdict.knownTypes.join(', ')} keys for this host.`
          : '';
      return (
        `${peer}: host key of ${where} is not known: ${verdict.keyType} ${verdict.fingerprint} is not in ${file}.${other}${note} ` +
        `Refusing to connect. Verify this fingerprint out of band (on the peer: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), ` +
        `then add the key with: ${add}`
      );
    }
    case 'changed':
      return (
        `${peer}: HOST KEY CHANGED for ${where}: it presented ${verdict.keyType} ${verdict.fingerprint}, ` +
        `but ${knownHostsPath}${lines} records a different ${verdict.keyType} key.${note} Someone could be intercepting the ` +
        `connection (man-in-the-middle), or the peer was reinstalled. Refusing to connect. Remove the old line only if ` +
        `you know why the key changed (${removeHostKeyCommand(lookup, knownHostsPath, platform)}), then verify and add the new key.`
      );
    case 'revoked':
      return (
        `${peer}: host key ${verdict.keyType} ${verdict.fingerprint} of ${where} is marked @revoked in ` +
        `${knownHostsPath}${lines}.${note} Refusing to connect; the peer needs a new host key.`
      );
  }
}

/**
 * known_hosts as connectClient reads it: decoded whatever encoding Windows left it in (UTF-16,
 * or UTF-8 with UTF-16 lines appended by PowerShell's `>>`: decodeKnownHosts), with a note for
 * the person when the file is one OpenSSH itself cannot read. A missing file is no keys at all.
 */
export async function readKnownHosts(
  peer: string,
  path: string,
  platform: NodeJS.Platform = process.platform,
): Promise<{ text: string; missing: boolean; note?: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', missing: true };
    throw new PeerUnreachable(peer, `cannot read known_hosts ${path}: ${(err as Error).message}`, { cause: err });
  }
  const decoded = decodeKnownHosts(bytes);
  return { text: decoded.text, missing: false, note: knownHostsNote(decoded, path, platform) };
}

function mapError(
  target: SshTarget,
  auth: AuthPlan,
  agentProblems: readonly string[],
  err: Error & { level?: string; code?: unknown },
): Error {
  const where = `${target.host}:${target.port}`;
  if (err.level === 'client-authentication') {
    const agentNote = agentProblems.length > 0 ? `; the agent could not be asked: ${agentProblems.join('; ')}` : '';
    return new PeerAuthFailed(target.peer, target.user, target.privateKeyPath, `${err.message}${agentNote}`, {
      cause: err,
      tried: auth.tried,
      hint: refusedHint(target.user, target.privateKeyPath, auth.agent ?? { kind: 'off' }),
    });
  }
  if (err.level === 'client-timeout') {
    const ms = target.readyTimeoutMs ?? 10000;
    return new PeerUnreachable(target.peer, `no SSH handshake with ${where} within ${ms} ms`, { cause: err });
  }
  const code = typeof err.code === 'string' ? `${err.code}: ` : '';
  const msg = err.message.startsWith(code) ? err.message : `${code}${err.message}`;
  return new PeerUnreachable(target.peer, `cannot connect to ${where} (${msg})`, { cause: err });
}

/** Connects, verifies the host key against known_hosts and authenticates; resolves once ready. */
export async function connectClient(target: SshTarget): Promise<Client> {
  const { peer, user, privateKeyPath } = target;
  const known = await readKnownHosts(peer, target.knownHostsPath);
  // The key is read and opened here, so a wrong passphrase or unreadable format is named as such.
  const auth = await planAuth(target);
  const agentProblems: string[] = [];

  const serverHostKey = hostKeyAlgorithms(knownKeyTypes(known.text, target.host, target.port));
  const client = new Client();
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    let refused: HostKeyRejected | undefined;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(refused ?? err);
    };
    // Stays attached for the client's whole life; SshShell adds its own handling after 'ready'.
    client.on('error', (err: Error & { level?: string }) => {
      // An agent that cannot be reached (no Pageant running, a stale socket) is not the end:
      // ssh2 goes on with the next method; the reason is kept for the message if all fail.
      if (err.level === 'agent' && !settled) {
        agentProblems.push(err.message);
        return;
      }
      fail(mapError(target, auth, agentProblems, err));
    });
    client.on('close', () =>
      fail(new PeerUnreachable(peer, `connection to ${target.host}:${target.port} closed during the SSH handshake`)),
    );
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      // Nagle off: a command written while an earlier small packet (a window adjust) waits for
      // the peer's delayed ACK sat ~40 ms; with it off a command on a warm connection costs ~2 ms.
      client.setNoDelay(true);
      resolve(client);
    });

    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: user,
      readyTimeout: target.readyTimeoutMs ?? 10000,
      keepaliveInterval: target.keepaliveIntervalMs ?? 15000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer): boolean => {
        const verdict = verifyHostKey(known.text, target.host, target.port, key);
        if (verdict.ok) return true;
        const message = hostKeyMessage(target, verdict, known.missing, { knownHostsNote: known.note });
        refused =
          verdict.reason === 'revoked'
            ? new HostKeyRevoked(peer, verdict.fingerprint, message)
            : new HostKeyRejected(peer, verdict.fingerprint, verdict.reason, message);
        return false;
      },
    };
    if (auth.privateKey !== undefined) config.privateKey = auth.privateKey;
    if (auth.passphrase !== undefined) config.passphrase = auth.passphrase;
    if (auth.agent !== undefined) config.agent = auth.agent.socket;
    if (serverHostKey) config.algorithms = { serverHostKey };
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously for a key it cannot parse (or an encrypted key without passphrase).
      const e = err as Error;
      fail(
        /key|passphrase/i.test(e.message)
          ? new PeerAuthFailed(peer, user, privateKeyPath, e.message, { cause: e, tried: auth.tried })
          : new PeerUnreachable(peer, `cannot start the SSH connection: ${e.message}`, { cause: e }),
      );
    }
  });
}
