/** Which peers a `peer-comms send` goes to: one peer (a plain send), or a list, a group or --all (a broadcast). */
import type { Config } from '../config/schema';
import { listedTwice } from '../contracts/broadcast';
import { UsageError } from './exit';

export type Targets =
  { kind: 'single'; peer: string; text?: string } | { kind: 'broadcast'; peers: string[]; text?: string };

/**
 * `send <peer> [text]`, `send a,b,c [text]`, `send <group> [text]`, `send --all [text]`. Every
 * name is checked here, before anything connects: an unknown one, or a peer listed twice (its
 * second send would wait behind the first on the pane lock), exits 2 with nothing started.
 */
export function targetsOf(
  configFile: string,
  config: Config,
  first: string | undefined,
  text: string | undefined,
  all: boolean,
): Targets {
  if (all) {
    // with --all the first positional argument is the text
    if (text !== undefined) throw new UsageError(`--all takes no peer names (got "${first}"); it sends to every peer`);
    return { kind: 'broadcast', peers: Object.keys(config.peers), text: first };
  }
  if (first === undefined)
    throw new UsageError('missing the peer: peer-comms send <peer> <text> (or a,b,c, a group, or --all)');
  const groups = config.groups ?? {};
  if (!first.includes(',') && !(first in groups)) return { kind: 'single', peer: first, text };
  const names = first.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new UsageError(`an empty peer name in "${first}"`);
  const unknown = names.filter((n) => !(n in config.peers) && !(n in groups));
  if (unknown.length > 0) {
    const groupNames = Object.keys(groups);
    throw new UsageError(
      `unknown peer ${unknown.map((n) => `"${n}"`).join(', ')} (configured: ${Object.keys(config.peers).join(', ')}${groupNames.length ? `; groups: ${groupNames.join(', ')}` : ''}) in ${configFile}; nothing was started`,
    );
  }
  const peers = names.flatMap((n) => groups[n] ?? [n]);
  const twice = listedTwice(peers);
  if (twice.length > 0) {
    throw new UsageError(`listed twice: ${twice.join(', ')} (one send per pane at a time; name each peer once)`);
  }
  return { kind: 'broadcast', peers, text };
}
