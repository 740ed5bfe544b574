/** Builds the PeerShell for a configured peer: SSH (pooled by the caller) or this machine. */
import type { Config } from '../config/schema';
import { expandHome } from '../config/paths';
import { LocalShell } from '../peer-access/local-shell';
import { passphraseEnvName, passphraseFor } from '../peer-access/key-passphrases';
import type { PeerShell } from '../peer-access/shell';
import { isWindowsPipe, type AgentSetting } from '../peer-access/ssh-agent';
import { SshShell } from '../peer-access/ssh-shell';

export function peerConnector(config: Config): (peer: string) => Promise<PeerShell> {
  return async (peer: string) => {
    const cfg = config.peers[peer];
    if (!cfg) throw new Error(`unknown peer "${peer}"`);
    if (cfg.via === 'local') return new LocalShell(peer);
    if (cfg.via === 'worker' && !cfg.host) {
      throw new Error(
        `${peer} is reached through its peer worker (via: worker) and has no SSH settings, so this machine cannot connect to it directly; use \`peer-comms fleet check ${peer}\` (preflight through the peer worker) or peek/inbox/log, which go through it too`,
      );
    }
    const privateKeyPath = cfg.privateKey ? expandHome(cfg.privateKey) : undefined;
    const passphraseEnv = passphraseEnvName(cfg);
    return SshShell.connect({
      peer,
      host: cfg.host ?? '',
      port: cfg.port,
      user: cfg.user ?? '',
      privateKeyPath,
      // Typed at the start of this process, or from the environment: never from the config or Temporal.
      passphrase: privateKeyPath ? passphraseFor(privateKeyPath, passphraseEnv) : undefined,
      passphraseEnv,
      useAgent: agentSetting(cfg.agent),
      knownHostsPath: expandHome(cfg.knownHosts),
    });
  };
}

/**
 * The `agent:` value as connectClient takes it: a socket path expanded like every controller
 * path (`~`, `$VAR`, `%VAR%`); pipes, `pageant` and `openssh` as they are.
 */
export function agentSetting(agent: Config['peers'][string]['agent']): AgentSetting {
  if (typeof agent !== 'string' || agent === 'pageant' || agent === 'openssh' || isWindowsPipe(agent)) return agent;
  return expandHome(agent);
}
