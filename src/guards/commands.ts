/**
 * The command allow-list: every command an activity runs on a peer passes `commandProblem`
 * first (activities/context.ts `tryRun`), and every script composed of commands `composedProblem`
 * (`tryRunScript`), argv by argv before it is quoted. Only what peer-comms itself sends is allowed — tmux,
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
import { gitProblem } from './git-read';

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

function forbidden(text: string): string | undefined {
  const hit = FORBIDDEN.find((re) => re.test(text));
  return hit ? `it mentions ${hit.source.replace(/\\b/g, '')}` : undefined;
}

/** What a refusal of the configured session command says about the check (docs/security.md). */
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

/** One command of a composed script of ours; `quiet` throws its output away (`>/dev/null 2>&1`). */
export interface ScriptCommand {
  argv: readonly string[];
  quiet?: boolean;
}

/** Commands joined by `&&`; `exit` ends the whole script with that status when they all succeed. */
export interface ScriptChain {
  commands: readonly ScriptCommand[];
  exit?: number;
}

/**
 * A script composed of argvs (`a >/dev/null 2>&1 && exit 3; b && c`): chains run one after
 * another. It is checked as argvs, before anything is quoted; its text is made only after
 * (activities/context.ts `tryRunScript`), so no other shell syntax can be in it.
 */
export type ComposedScript = readonly ScriptChain[];

/** Why the peer may not be sent this composed script (each command checked on its own), or undefined. */
export function composedProblem(script: ComposedScript, policy: CommandPolicy): string | undefined {
  if (script.length === 0) return 'an empty script';
  for (const chain of script) {
    if (chain.commands.length === 0) return 'a script step with no command';
    if (chain.exit !== undefined && !(Number.isInteger(chain.exit) && chain.exit >= 0 && chain.exit < 256)) {
      return `exit ${chain.exit} is not an exit status`;
    }
    for (const { argv } of chain.commands) {
      const why = commandProblem(argv, policy);
      if (why) return why;
    }
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
      return 'a shell script that is not one of ours';
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
