/**
 * The only git peer-comms runs on a peer: read-only shapes (status, log, a listing of filter
 * drivers), each behind the options that keep the repository's own config from running
 * commands. `gitReadArgv` builds them; `gitProblem` (the allow-list, guards/commands.ts) checks them.
 */

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

/** Why this git argv (after `git`) is not one of our read-only shapes, or undefined. */
export function gitProblem(args: readonly string[]): string | undefined {
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
