/** Builds the PeerShell for a configured peer: SSH (pooled by the caller) or this machine. */
import type { Config } from '../config/schema';
import { expandHome } from '../config/paths';
import { LocalShell } from '../peer-access/local-shell';
import type { PeerShell } from '../peer-access/shell';
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
    return SshShell.connect({
      peer,
      host: cfg.host ?? '',
      port: cfg.port,
      user: cfg.user ?? '',
      privateKeyPath: cfg.privateKey ? expandHome(cfg.privateKey) : undefined,
      useAgent: cfg.agent,
      knownHostsPath: expandHome(cfg.knownHosts),
    });
  };
}
