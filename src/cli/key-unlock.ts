/**
 * Before a command or worker that connects over SSH starts: every key it will use is readable
 * by ssh2, and every passphrase-protected key has its passphrase, from the environment or typed
 * on the terminal now (not in the middle of an activity). Otherwise exit 2 with nothing started.
 * A typed passphrase stays in this process's memory (typedPassphrases): never on disk, never in
 * a workflow input, never printed.
 */
import { readFile } from 'node:fs/promises';
import { expandHome } from '../config/paths';
import { quotePath, shellFor } from '../config/quote';
import type { Config } from '../config/schema';
import { passphraseEnvName, typedPassphrases } from '../peer-access/key-passphrases';
import { inspectKey, passphraseProblem } from '../peer-access/private-key';
import { askSecret, processTerminal } from './ask-secret';
import { RefusedInput } from './input-checks';

export interface UnlockIo {
  env: Record<string, string | undefined>;
  /** Asks without echo; undefined when there is no terminal to ask on. */
  ask?: (question: string) => Promise<string>;
  readKey: (path: string) => Promise<Buffer>;
  /** Whose shell the suggested commands are quoted for (default process.platform). */
  platform?: NodeJS.Platform;
}

export function processUnlockIo(): UnlockIo {
  const term = processTerminal();
  return {
    env: process.env,
    ask: term ? (q) => askSecret(q, term) : undefined,
    readKey: (p) => readFile(p),
  };
}

/** How many times a wrong passphrase may be typed before giving up, as ssh does. */
const TRIES = 3;

type PeerConfig = Config['peers'][string];

/** Whether this machine connects to the peer over SSH with a key file (a worker peer only to push credentials). */
function usesKeyFile(peer: PeerConfig): boolean {
  return peer.privateKey !== undefined && (peer.via === 'ssh' || (peer.via === 'worker' && !!peer.host));
}

/** The key files the named peers use, each with its peers (one key may serve several: ask once per file). */
function keysByFile(configFile: string, config: Config, names: readonly string[]): Map<string, KeyUse> {
  const byKey = new Map<string, KeyUse>();
  for (const name of names) {
    const peer = config.peers[name];
    if (!peer || !usesKeyFile(peer)) continue;
    let path: string;
    try {
      path = expandHome(peer.privateKey ?? '');
    } catch (err) {
      // an unset variable in the path: named here, before anything starts
      throw new RefusedInput(`peer "${name}": privateKey in ${configFile}: ${(err as Error).message}`);
    }
    const entry = byKey.get(path) ?? { peers: [], envName: passphraseEnvName(peer), agentToo: true };
    entry.peers.push(name);
    // with an agent configured, a protected key the agent holds needs no passphrase here
    entry.agentToo &&= peer.agent !== false;
    byKey.set(path, entry);
  }
  return byKey;
}

interface KeyUse {
  peers: string[];
  envName: string;
  /** Every peer using the key also has an agent configured. */
  agentToo: boolean;
}

/**
 * Checks the key files of the named peers and gets the passphrase of each protected one: from
 * the peer's variable (passphraseEnv, default PEER_COMMS_KEY_PASSPHRASE), else asked on the
 * terminal. A key file that cannot be read is left to the connection to report (it names it).
 */
export async function unlockKeys(
  configFile: string,
  config: Config,
  names: readonly string[],
  io: UnlockIo = processUnlockIo(),
  typed: Map<string, string> = typedPassphrases,
): Promise<void> {
  const byKey = keysByFile(configFile, config, names);
  for (const [path, { peers, envName, agentToo }] of byKey) {
    const who = `peer${peers.length > 1 ? 's' : ''} "${peers.join('", "')}"`;
    let bytes: Buffer;
    try {
      bytes = await io.readKey(path);
    } catch {
      const fromEnv = io.env[envName];
      if (fromEnv) typed.set(path, fromEnv); // kept for the connection, which names the read error
      continue;
    }
    const platform = io.platform ?? process.platform;
    const keyArg = quotePath(shellFor(platform), path); // pasted into this user's shell
    const inspection = inspectKey(path, bytes, platform);
    if (inspection.kind === 'unusable') {
      throw new RefusedInput(
        `${who}: the private key ${path} (privateKey in ${configFile}) ${inspection.problem}; nothing was started`,
        inspection.fix,
      );
    }
    if (inspection.kind !== 'encrypted' || typed.has(path)) continue;
    const fromEnv = io.env[envName];
    if (fromEnv !== undefined && fromEnv !== '') {
      const problem = passphraseProblem(bytes, fromEnv);
      if (problem !== undefined) {
        throw new RefusedInput(
          `${who}: the passphrase in ${envName} does not open the private key ${path} (${problem}); nothing was started`,
          `set ${envName} to that key's passphrase (check it with: ssh-keygen -y -f ${keyArg}), or unset it to be asked on the terminal`,
        );
      }
      typed.set(path, fromEnv);
      continue;
    }
    // Every peer using this key also has agent: set: the connection offers the agent alone
    // (ssh-auth.ts planAuth), so neither ask nor refuse.
    if (agentToo) continue;
    if (!io.ask) {
      throw new RefusedInput(
        `${who}: the private key ${path} is passphrase-protected, ${envName} is not set and there is no terminal to ask on; nothing was started`,
        `set ${envName} in this process's environment, run it on a terminal to be asked, or load the key into an SSH agent (ssh-add ${keyArg}) and set agent: true for the peer`,
      );
    }
    for (let attempt = 1; ; attempt++) {
      const again = attempt > 1 ? 'Wrong passphrase, try again. ' : '';
      const pass = await io.ask(`${again}Passphrase for ${path} (${who}): `);
      if (pass !== '' && passphraseProblem(bytes, pass) === undefined) {
        typed.set(path, pass);
        break;
      }
      if (attempt >= TRIES) {
        throw new RefusedInput(
          `${who}: wrong passphrase for the private key ${path} (${TRIES} tries); nothing was started`,
          `check it with: ssh-keygen -y -f ${keyArg}; or set ${envName}`,
        );
      }
    }
  }
  // The passphrases now live in `typed` only: take the variables out of this process's
  // environment so no child (git and its ssh, the Temporal server, python, security) inherits them.
  for (const { envName } of byKey.values()) delete io.env[envName];
}
