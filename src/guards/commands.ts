/**
 * The command allow-list: every command an activity runs on a peer passes `commandProblem`
 * first (activities/context.ts `tryRun`). Only what peer-comms itself sends is allowed — tmux,
 * `systemctl --user`, nvidia-smi queries, reading a file, removing a staged file, read-only git,
 * and our own constant scripts — so no command peer-comms builds can run `docker exec`, enter a
 * container or reset a GPU, on any peer and on a rental peer above all (the reference: "NEVER
 * touch the rental container. No docker exec, no GPU reset. Read-only inspection only."). The
 * session command from the peers file (`recovery.command`) is trusted config: its word check
 * catches mistakes only (see FORBIDDEN).
 *
 * Message text is not a command: it goes into tmux as the literal argument of `send-keys -l` or
 * `set-buffer`, so a directive that mentions `docker exec` is still delivered.
 */
import { posix } from 'node:path';

export interface CommandPolicy {
  peer: string;
  rental: boolean;
  /** The peer's staging folder for heavy sends (the only place `rm` may touch). */
  stagingDir: string;
}

/** A constant script of ours, with a check of its positional arguments. */
export interface ScriptRule {
  name: string;
  script: string;
  /** Returns a problem with the arguments after `$0`, or undefined. */
  checkArgs?: (args: readonly string[], policy: CommandPolicy) => string | undefined;
}

const scripts = new Map<string, ScriptRule>();

/** Registers one of our constant `sh -c` scripts; returns the script text. */
export function allowScript(rule: ScriptRule): string {
  scripts.set(rule.script, rule);
  return rule.script;
}

/**
 * Words that must never appear in a command a peer runs (containers, GPU resets, power changes).
 * For the commands peer-comms builds itself this is a real limit (they are argvs of fixed
 * shapes). For the two commands that come from the peers file — `recovery.command` (the tmux
 * session command) and `recovery.unit` — it is only a guard against mistakes: those are the
 * user's own trusted config and run in the peer user's shell as written, so a command spelled
 * to dodge a word match (`d''ocker run …`) runs. Not a security boundary; see SESSION_COMMAND_TRUST.
 */
const FORBIDDEN = [
  /\bdocker\b/,
  /\bpodman\b/,
  /\bnerdctl\b/,
  /\bctr\b/,
  /\bcrictl\b/,
  /\bkubectl\b/,
  /\bnsenter\b/,
  /\bvastai\b/,
  /--gpu-reset\b/,
  /\bnvidia-smi\b.*\s-(?:r|pl|pm|c|e|rgc|lgc|rmc|lmc)\b/,
];

const TMUX_SUBCOMMANDS = new Set([
  'has-session',
  'new-session',
  'kill-session',
  'respawn-pane',
  'resize-window',
  'send-keys',
  'load-buffer',
  'set-buffer',
  'show-buffer',
  'delete-buffer',
  'list-buffers',
  'paste-buffer',
  'capture-pane',
  'display-message',
  'list-sessions',
  'list-panes',
]);

/**
 * The options every git we run on a peer starts with (after `-C <dir>`): git reads config from
 * the repository itself (`.git/config`, writable by the agent or anyone who can write the
 * checkout), and some of it runs commands — `core.fsmonitor` during `git status`, hooks, a
 * pager, an external diff, textconv, the ssh command or a credential helper of a lazy fetch in a
 * partial clone, a signature check's gpg. Command-line `-c` beats every config file, so these
 * switch all of that off (`protocol.*.allow=never`: no fetch at all, so no transport runs).
 * Environment variables (GIT_CONFIG_NOSYSTEM and the like) are not an option: peer commands are
 * argvs only. Filter drivers (`filter.<name>.clean/process`, run by `git status` on files whose
 * stat changed) have per-driver keys: gitFilterOffOptions names each one the config defines
 * (listed by GIT_FILTER_LIST just before; a driver added in the moment between the two commands
 * would still run — a race the agent would have to win, and it runs as the agent's own user).
 */
export const GIT_READ_SAFETY: readonly string[] = [
  '--no-pager',
  '--no-optional-locks',
  ...[
    'core.fsmonitor=false',
    'core.hooksPath=/dev/null',
    'core.pager=cat',
    'diff.external=',
    'core.sshCommand=false',
    'credential.helper=',
    'protocol.allow=never',
    ...['file', 'git', 'ssh', 'http', 'https', 'ext'].map((p) => `protocol.${p}.allow=never`),
    'log.showSignature=false',
  ].flatMap((kv) => ['-c', kv]),
];

/**
 * `git status` as we run it. `--ignore-submodules=dirty`: a submodule counts as changed when its
 * checked-out commit moved, and git does not run a status inside it (a child git there would read
 * the submodule's own config: its filter drivers are not among the ones switched off here).
 */
export const GIT_STATUS_ARGS: readonly string[] = ['status', '--porcelain=v2', '--branch', '--ignore-submodules=dirty'];

/** Lists the filter drivers a repository's config defines (every scope): `filter.<name>.<key>`, NUL-separated. */
export const GIT_FILTER_LIST: readonly string[] = ['config', '--null', '--name-only', '--get-regexp', '^filter\\.'];

/** Filter driver names that can be switched off with `-c` (git splits `-c` at the first `=`). */
export function isFilterDriverName(name: string): boolean {
  return name.length > 0 && !/[=\n\0]/.test(name);
}

/** `-c` options that switch the named filter drivers off: no clean, smudge or process command, not required. */
export function gitFilterOffOptions(drivers: readonly string[]): string[] {
  return drivers.flatMap((d) => {
    if (!isFilterDriverName(d)) throw new Error(`cannot switch off the git filter driver ${JSON.stringify(d)}`);
    return ['clean=', 'smudge=', 'process=', 'required=false'].flatMap((kv) => ['-c', `filter.${d}.${kv}`]);
  });
}

/** `git -C <dir> <GIT_READ_SAFETY> [filter drivers off] <args>`: the only git argv peer-comms runs. */
export function gitReadArgv(dir: string, args: readonly string[], filterDrivers: readonly string[] = []): string[] {
  return ['git', '-C', dir, ...GIT_READ_SAFETY, ...gitFilterOffOptions(filterDrivers), ...args];
}

const FILTER_OFF = /^filter\.[^=\n\0]+\.(?:clean=|smudge=|process=|required=false)$/;

/** The read-only git shapes we run, after the safety options: each checked word by word. */
function gitReadShapeProblem(args: readonly string[]): string | undefined {
  const [sub, ...rest] = args;
  const shape = `git ${args.join(' ')}`.slice(0, 120);
  switch (sub) {
    case 'status':
      return args.length === GIT_STATUS_ARGS.length && args.every((a, i) => a === GIT_STATUS_ARGS[i])
        ? undefined
        : `${shape}: git status runs only as \`${GIT_STATUS_ARGS.join(' ')}\``;
    case 'log':
      return rest.length === 6 &&
        rest[0] === '-n' &&
        /^[1-9][0-9]{0,3}$/.test(rest[1] ?? '') &&
        rest[2] === '--no-show-signature' &&
        rest[3] === '--no-textconv' &&
        rest[4] === '--no-ext-diff' &&
        /^--format=[^\n]*$/.test(rest[5] ?? '')
        ? undefined
        : `${shape}: git log runs only as \`log -n <count> --no-show-signature --no-textconv --no-ext-diff --format=<format>\``;
    case 'config':
      return rest.length === GIT_FILTER_LIST.length - 1 && rest.every((a, i) => a === GIT_FILTER_LIST[i + 1])
        ? undefined
        : `${shape}: git config only lists the filter drivers (${GIT_FILTER_LIST.join(' ')})`;
    default:
      return `git ${sub ?? ''} is not read-only (peer-comms runs only git status, log and a config listing)`;
  }
}

function gitProblem(args: readonly string[]): string | undefined {
  if (args[0] !== '-C' || args[1] === undefined || args[1].startsWith('-')) {
    const sub = args.find((a) => !a.startsWith('-'));
    return `git must start with -C <dir> and its read-only safety options (git ${sub ?? ''} is not read-only as given)`;
  }
  let i = 2;
  if (GIT_READ_SAFETY.some((want, k) => args[i + k] !== want)) {
    return `git without its safety options (${GIT_READ_SAFETY.join(' ')}) could run commands from the repository's config (core.fsmonitor, hooks, pager...)`;
  }
  i += GIT_READ_SAFETY.length;
  while (args[i] === '-c') {
    if (!FILTER_OFF.test(args[i + 1] ?? '')) return `git -c ${args[i + 1] ?? ''} is not a filter driver switched off`;
    i += 2;
  }
  return gitReadShapeProblem(args.slice(i));
}

function forbidden(text: string): string | undefined {
  const hit = FORBIDDEN.find((re) => re.test(text));
  return hit ? `it mentions ${hit.source.replace(/\\b/g, '')}` : undefined;
}

/** What a refusal of the configured session command says about the check (README: Security). */
export const SESSION_COMMAND_TRUST =
  'recovery.command is trusted config from your peers file and runs in the peer’s shell as written; this word check only catches a mistake (such as a container command on a rental peer) and is not a security boundary';

function tmuxProblem(args: readonly string[]): string | undefined {
  let i = 0;
  if (args[0] === '-L' || args[0] === '-S') i = 2;
  const sub = args[i];
  if (sub === undefined || !TMUX_SUBCOMMANDS.has(sub))
    return `tmux ${sub ?? '(nothing)'} is not a tmux command peer-comms uses`;
  // The command a new session or pane runs comes from the peers file: it may not reach a container either.
  if (sub === 'new-session' || sub === 'respawn-pane') {
    const command = args[args.length - 1] ?? '';
    const why = forbidden(command);
    if (why) return `the session command ${JSON.stringify(command)} is refused: ${why} (${SESSION_COMMAND_TRUST})`;
  }
  return undefined;
}

type Token = { op: ';' | '&&' } | { word: string };

/** Words and `;` / `&&` of a composed script (our shJoin output); undefined on any other syntax. */
function tokens(script: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < script.length) {
    if (script[i] === ' ') {
      i++;
      continue;
    }
    if (script[i] === ';') {
      out.push({ op: ';' });
      i++;
      continue;
    }
    if (script.startsWith('&&', i)) {
      out.push({ op: '&&' });
      i += 2;
      continue;
    }
    const redirect = /^(?:>\/dev\/null|2>&1)(?=[ ;]|$)/.exec(script.slice(i));
    if (redirect) {
      i += redirect[0].length; // output thrown away: harmless
      continue;
    }
    let word = '';
    while (i < script.length && script[i] !== ' ' && script[i] !== ';') {
      if (script[i] === "'") {
        const end = script.indexOf("'", i + 1);
        if (end < 0) return undefined;
        word += script.slice(i + 1, end);
        i = end + 1;
      } else if (script[i] === '\\' && script[i + 1] === "'") {
        word += "'";
        i += 2;
      } else {
        const m = /^[A-Za-z0-9_@%+=:,./-]+/.exec(script.slice(i));
        if (!m) return undefined;
        word += m[0];
        i += m[0].length;
      }
    }
    out.push({ word });
  }
  return out;
}

/**
 * A script composed of quoted argvs (`a b >/dev/null 2>&1 && exit 3; c && d`): each command
 * checked on its own. Anything else in it (substitutions, pipes, variables, globs) is refused.
 */
function composedProblem(script: string, policy: CommandPolicy): string | undefined {
  const toks = tokens(script);
  if (!toks) return 'a shell script that is not one of ours';
  const commands: string[][] = [[]];
  for (const t of toks) {
    if ('op' in t) commands.push([]);
    else commands[commands.length - 1]?.push(t.word);
  }
  for (const argv of commands) {
    if (argv.length === 0) return 'a shell script that is not one of ours';
    if (argv.length === 2 && argv[0] === 'exit' && /^\d+$/.test(argv[1] ?? '')) continue;
    const why = commandProblem(argv, policy);
    if (why) return why;
  }
  return undefined;
}

/** A file directly in the staging folder (`~/…` matches it under any home directory). */
function insideStaging(path: string, stagingDir: string): boolean {
  if (path.split('/').includes('..')) return false;
  const dir = stagingDir.replace(/\/+$/, '');
  const parent = posix.dirname(posix.normalize(path));
  if (dir.startsWith('~/')) return parent.startsWith('/') && parent.endsWith(dir.slice(1));
  return parent === dir;
}

/** A path argument find or grep would not take for an option or an expression. */
function plainPath(p: string | undefined): boolean {
  return p !== undefined && p !== '' && !/^[-(!]/.test(p);
}

/** Listing one folder (peer-comms inbox): `find -H <dir> -maxdepth <n> -printf <format>`, no -exec or -delete. */
function findProblem(args: readonly string[]): string | undefined {
  const [h, dir, maxdepth, depth, printf, format, ...rest] = args;
  const ok =
    h === '-H' &&
    plainPath(dir) &&
    maxdepth === '-maxdepth' &&
    /^[0-9]$/.test(depth ?? '') &&
    printf === '-printf' &&
    format !== undefined &&
    rest.length === 0;
  return ok ? undefined : 'find may only list a folder (-H <dir> -maxdepth <n> -printf <format>)';
}

/** First headings of files (peer-comms inbox): `grep -E -m 1 -H -e <pattern> -- <file>...`. */
function grepProblem(args: readonly string[]): string | undefined {
  const shape = ['-E', '-m', '1', '-H', '-e'];
  const files = args.slice(7);
  const ok =
    shape.every((a, i) => args[i] === a) &&
    args[5] !== undefined &&
    args[6] === '--' &&
    files.length > 0 &&
    files.every(plainPath);
  return ok ? undefined : 'grep may only read the first matching line of files (-E -m 1 -H -e <pattern> -- <file>...)';
}

/** Why the peer may not be sent this command, or undefined when it may. */
export function commandProblem(argv: readonly string[], policy: CommandPolicy): string | undefined {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return 'an empty command';
  const base = posix.basename(cmd);
  switch (base) {
    case 'tmux':
      return tmuxProblem(args);
    case 'sh': {
      if (args[0] !== '-c' || args[1] === undefined) return 'sh without -c <script>';
      const rule = scripts.get(args[1]);
      if (rule) return rule.checkArgs?.(args.slice(3), policy);
      return composedProblem(args[1], policy);
    }
    case 'systemctl': {
      const [scope, verb, unit, ...rest] = args;
      if (scope !== '--user') return 'systemctl without --user (only the agent’s user unit may be touched)';
      if (!['restart', 'start', 'is-active', 'status'].includes(verb ?? '') || !unit || rest.length > 0) {
        return `systemctl --user ${verb ?? ''} is not a command peer-comms uses`;
      }
      return forbidden(unit);
    }
    case 'nvidia-smi':
      return args.every((a) => /^--(?:query-gpu|format)=[A-Za-z0-9_.,]+$/.test(a))
        ? undefined
        : 'nvidia-smi may only be queried (--query-gpu, --format): no reset, no power or clock change';
    case 'cat':
      return args.length === 1 && !args[0]?.startsWith('-') ? undefined : 'cat takes exactly one file';
    case 'rm':
      return args.length === 3 &&
        args[0] === '-f' &&
        args[1] === '--' &&
        insideStaging(args[2] ?? '', policy.stagingDir)
        ? undefined
        : `rm may only remove a staged file under ${policy.stagingDir}`;
    case 'git':
      return gitProblem(args);
    case 'find':
      return findProblem(args);
    case 'grep':
      return grepProblem(args);
    default:
      return `${base} is not on the list of commands peer-comms may run`;
  }
}

/** An argv as one short line for messages. */
export function showCommand(argv: readonly string[]): string {
  const line = argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
