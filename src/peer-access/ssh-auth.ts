/**
 * The authentication half of opening a connection: the key file read and checked before ssh2
 * sees it (so a passphrase or format problem is named, not reported as a refused login), the
 * agent chosen, and the words for what was tried when the peer says no.
 */
import { readFile } from 'node:fs/promises';
import { quotePath, shellFor } from '../config/quote';
import { DEFAULT_PASSPHRASE_ENV, inspectKey, passphraseProblem } from './private-key';
import { PeerAuthFailed } from './shell';
import { chooseAgent, type AgentChoice, type AgentEnv, type AgentSetting } from './ssh-agent';

export interface AuthTarget {
  peer: string;
  user: string;
  privateKeyPath?: string;
  passphrase?: string;
  /** The variable the passphrase is read from, named in messages. Default PEER_COMMS_KEY_PASSPHRASE. */
  passphraseEnv?: string;
  useAgent?: AgentSetting;
}

export interface AuthPlan {
  /** The key file's bytes (ssh2 parses them again with the passphrase). */
  privateKey?: Buffer;
  passphrase?: string;
  agent?: Extract<AgentChoice, { kind: 'agent' }>;
  /** "the key … and the OpenSSH agent (…)": for the message when the peer refuses. */
  tried: string;
}

/** What was offered, in words: "the key X", "Pageant", "the key X and the SSH agent at …". */
export function describeTried(privateKeyPath: string | undefined, agent: AgentChoice): string {
  const parts: string[] = [];
  if (privateKeyPath !== undefined) parts.push(`the key ${privateKeyPath}`);
  if (agent.kind === 'agent') parts.push(agent.label);
  if (parts.length === 0) return 'no key and no agent';
  return parts.join(' and ');
}

/** What to check when the peer refused every key offered. */
export function refusedHint(user: string, privateKeyPath: string | undefined, agent: AgentChoice): string {
  const lines: string[] = [];
  const authorized = `~${user}/.ssh/authorized_keys on the peer`;
  if (privateKeyPath !== undefined) {
    lines.push(`the public key of ${privateKeyPath} may be missing from ${authorized}`);
  }
  if (agent.kind === 'agent') {
    lines.push(
      `the agent may hold no key the peer accepts (list its keys with ssh-add -l${privateKeyPath === undefined ? `; each must be in ${authorized}` : ''})`,
    );
  }
  if (agent.kind === 'unavailable') lines.push(`no agent was asked: ${agent.why}`);
  if (lines.length === 0) lines.push(`the matching public key must be listed in ${authorized}`);
  const text = lines.join('; or ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/**
 * Reads and checks the key, chooses the agent: what ssh2 needs, or PeerAuthFailed saying which
 * key or agent is the problem and what to do.
 */
export async function planAuth(target: AuthTarget, at?: AgentEnv): Promise<AuthPlan> {
  const { peer, user, privateKeyPath: keyPath, passphrase } = target;
  const choice = chooseAgent(target.useAgent, at);
  const tried = describeTried(keyPath, choice);
  const agent = choice.kind === 'agent' ? choice : undefined;
  if (keyPath === undefined) {
    if (agent === undefined) {
      const why = choice.kind === 'unavailable' ? choice.why : 'no privateKey and agent: false';
      throw new PeerAuthFailed(peer, user, undefined, `no private key configured and no SSH agent available: ${why}`, {
        tried,
        hint: 'Set privateKey to a key file, or start an SSH agent that holds the key and set agent.',
      });
    }
    return { agent, tried };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(keyPath);
  } catch (err) {
    throw new PeerAuthFailed(peer, user, keyPath, `cannot read the key file: ${(err as Error).message}`, {
      cause: err,
      tried,
      hint: `Fix privateKey in the config, or make ${keyPath} readable by this user.`,
    });
  }
  // the commands in the hints, quoted for the shell this controller's user pastes them into
  const platform = at?.platform ?? process.platform;
  const keyArg = quotePath(shellFor(platform), keyPath);
  const inspection = inspectKey(keyPath, bytes, platform);
  if (inspection.kind === 'unusable') {
    throw new PeerAuthFailed(peer, user, keyPath, `the key file ${keyPath} ${inspection.problem}`, {
      tried,
      hint: `${inspection.fix.charAt(0).toUpperCase()}${inspection.fix.slice(1)}.`,
    });
  }
  if (inspection.kind === 'encrypted') {
    const envName = target.passphraseEnv ?? DEFAULT_PASSPHRASE_ENV;
    if (passphrase === undefined && agent !== undefined) {
      // The key is locked but an agent is configured: the agent is expected to hold it (ssh-add),
      // so offer the agent alone rather than refuse; the message names both if the peer says no.
      return {
        agent,
        tried: `${agent.label} (the key ${keyPath} is passphrase-protected and no passphrase was given, so it was not offered)`,
      };
    }
    if (passphrase === undefined) {
      throw new PeerAuthFailed(
        peer,
        user,
        keyPath,
        `the key ${keyPath} is passphrase-protected and no passphrase was given`,
        {
          tried,
          hint:
            `Set ${envName} in the environment of the process that connects (the worker, or the command), ` +
            `or start it on a terminal to be asked; or load the key into an agent (ssh-add ${keyArg}) and set agent.`,
        },
      );
    }
    const problem = passphraseProblem(bytes, passphrase);
    if (problem !== undefined) {
      throw new PeerAuthFailed(peer, user, keyPath, `wrong passphrase for the key ${keyPath} (${problem})`, {
        tried,
        hint: `Give the passphrase that opens it (in ${envName}, or typed at the prompt); check it with: ssh-keygen -y -f ${keyArg}`,
      });
    }
  }
  return { privateKey: bytes, passphrase: inspection.kind === 'encrypted' ? passphrase : undefined, agent, tried };
}
