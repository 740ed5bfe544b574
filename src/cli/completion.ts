/**
 * What TAB offers, worked out from the live command tree (so it is never out of date with the
 * commands a release registers): the shell scripts of completion-scripts.ts call
 * `peer-comms __complete --cur=<word> -- <words before it>` and get one candidate a line, or
 * FILES when the word is a file name (the shell completes those itself). Peer and group names
 * come from the peers file (-c/--config among the words, else the usual places), only where a
 * peer is expected.
 */
import type { Command, Option } from 'commander';

/** The line that tells the shell script to complete file names instead. */
export const FILES = '__files__';

/** Where a command's words stand: the deepest (sub)command named, the positionals after it, the config named. */
interface Walk {
  cmd: Command;
  positionals: number;
  config?: string;
  /** The option just before the word being completed, if it wants a value. */
  valueFor?: Option;
  afterDashes: boolean;
}

function findOption(cmds: Command[], flag: string): Option | undefined {
  for (const c of cmds) {
    const o = c.options.find((opt) => opt.long === flag || opt.short === flag);
    if (o) return o;
  }
  return undefined;
}

/** The chain from the root to `cmd`: a subcommand also takes the root's options (-c/--config). */
function chain(cmd: Command): Command[] {
  const out: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(c);
  return out;
}

function walk(root: Command, words: string[]): Walk {
  const w: Walk = { cmd: root, positionals: 0, afterDashes: false };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    w.valueFor = undefined;
    if (!w.afterDashes && word === '--') {
      w.afterDashes = true;
    } else if (!w.afterDashes && word.startsWith('-') && word.length > 1) {
      const [flag = '', inline] = word.split(/=(.*)/s);
      const opt = findOption(chain(w.cmd), flag);
      if (opt && (opt.required || opt.optional) && inline === undefined) {
        const value = words[i + 1];
        if (value === undefined) w.valueFor = opt;
        else i++;
        if (opt.long === '--config' && value !== undefined) w.config = value;
      } else if (opt?.long === '--config' && inline) w.config = inline;
    } else {
      const sub = w.positionals === 0 ? w.cmd.commands.find((c) => c.name() === word) : undefined;
      if (sub) w.cmd = sub;
      else w.positionals++;
    }
  }
  return w;
}

/** Whether an option's value or an argument names a file (completed by the shell). */
function isFile(name: string): boolean {
  return /file|directive|amend/i.test(name);
}

/** What the positional at `index` of `cmd` is: a peer (or peers), a file, one of a list, or something else. */
function positionalKind(cmd: Command, index: number): 'peer' | 'file' | string[] | 'other' | undefined {
  const args = cmd.registeredArguments;
  const last = args[args.length - 1];
  const arg = args[index] ?? (last?.variadic ? last : undefined);
  if (!arg) return undefined;
  if (arg.argChoices) return arg.argChoices;
  if (/peer/i.test(arg.name())) return 'peer';
  return isFile(arg.name()) ? 'file' : 'other';
}

/** The candidates for `cur`, given the words before it. `peers` reads the peers file (and groups). */
export async function completions(
  root: Command,
  words: string[],
  cur: string,
  peers: (config: string | undefined, groups: boolean) => Promise<string[]>,
): Promise<string[]> {
  const w = walk(root, words);
  const starts = (list: string[]): string[] => list.filter((c) => c.startsWith(cur));
  if (w.valueFor) {
    const long = w.valueFor.long ?? '';
    if (long === '--peer') return starts(await peers(w.config, false));
    return isFile(long) || long === '--config' ? [FILES] : [];
  }
  const help = w.cmd.createHelp();
  if (cur.startsWith('-') && !w.afterDashes) {
    // the command's own options, and its parents' (-c/--config) but their --help and --version
    const inherited = chain(w.cmd)
      .slice(1)
      .flatMap((c) => c.options.filter((o) => !o.hidden));
    const opts = [...help.visibleOptions(w.cmd), ...inherited.filter((o) => o.long !== '--version')];
    return starts([...new Set(opts.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)))]);
  }
  const subs = w.positionals === 0 ? help.visibleCommands(w.cmd).map((c) => c.name()) : [];
  const kind = positionalKind(w.cmd, w.positionals);
  if (kind === 'file') return [...starts(subs), FILES];
  const names = Array.isArray(kind) ? kind : kind === 'peer' ? await peers(w.config, w.cmd.name() === 'send') : [];
  return starts([...subs.filter((s) => s !== 'help' || w.cmd === root), ...names]);
}

/** Peer names (and, for a broadcast, group names) from the peers file; none when it cannot be read. */
export async function peerNames(config: string | undefined, groups: boolean): Promise<string[]> {
  try {
    const { loadConfig } = await import('../config/load.js');
    const { config: c } = await loadConfig(config);
    return [...Object.keys(c.peers), ...(groups ? Object.keys(c.groups) : [])];
  } catch {
    return [];
  }
}
