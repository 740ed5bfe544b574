/**
 * Running git on the controller so that it never asks anybody anything. gitSync runs unattended
 * (a worker, maybe a service with no desktop): a credential window or a passphrase prompt would
 * wait, unseen, until the activity's deadline. So every way git or ssh could ask is switched off,
 * and a remote that needs a login that cannot be answered without a person fails at once.
 *
 * What asks, and what stops it:
 * - git's own terminal prompt for an https user name / password: GIT_TERMINAL_PROMPT=0.
 * - an "askpass" program (GIT_ASKPASS, core.askPass, SSH_ASKPASS: editors such as VS Code set
 *   GIT_ASKPASS and it opens a window). GIT_TERMINAL_PROMPT=0 does NOT stop these: git runs the
 *   askpass program first and checks GIT_TERMINAL_PROMPT only after. An empty GIT_ASKPASS makes
 *   git skip all three; `-c core.askPass=` does the same where an empty variable is dropped.
 * - Git Credential Manager's login windows (Windows, macOS): GCM_INTERACTIVE=never. A helper
 *   that already holds the login (GCM after one interactive fetch, osxkeychain, store) still
 *   answers, which is what a person should set up.
 * - ssh asking for a password, a key's passphrase or a new host key: BatchMode=yes (see
 *   `batchSshCommand`), SSH_ASKPASS_REQUIRE=never, and stdin closed at once.
 */
import { execFile } from 'node:child_process';
import { posixQuote } from '../config/quote';
import type { GitRunner, GitRunResult } from './context';

type Env = Readonly<Record<string, string | undefined>>;

/** Subcommands that may talk to a remote (only these need the ssh command worked out). */
const REMOTE_COMMANDS = new Set(['fetch', 'pull', 'push', 'ls-remote', 'clone', 'remote', 'submodule']);

/** git's ssh "variants" (connect.c), by the program's base name. */
type SshVariant = 'ssh' | 'plink' | 'tortoiseplink' | 'other';

function variantOf(program: string, override: string | undefined): SshVariant {
  const forced = override?.toLowerCase();
  if (forced === 'ssh' || forced === 'plink' || forced === 'tortoiseplink') return forced;
  if (forced === 'putty') return 'plink';
  if (forced === 'simple') return 'other';
  const base = (program.split(/[/\\]/).pop() ?? '').toLowerCase().replace(/\.exe$/, '');
  if (base === 'ssh') return 'ssh';
  if (base === 'plink' || base === 'putty') return 'plink';
  if (base === 'tortoiseplink') return 'tortoiseplink';
  return 'other';
}

/** The first word of a shell command line, without its quotes (enough to name the program). */
function firstWord(command: string): string {
  const m = /^\s*(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(command);
  return m?.[1] ?? m?.[2] ?? m?.[3] ?? '';
}

export interface SshSettings {
  /** `core.sshCommand` from the repository's git config, if set. */
  coreSshCommand?: string;
  /** `ssh.variant` from the git config, if set. */
  sshVariant?: string;
}

/**
 * The ssh command git should use, in batch mode, or undefined to leave git's choice alone.
 *
 * We keep whatever ssh the user chose and add the batch option to it, instead of replacing it:
 * a GIT_SSH_COMMAND or core.sshCommand often carries what makes the login work at all
 * (`-i ~/.ssh/work_key`, `-F …`, a ProxyJump). Git's own order is GIT_SSH_COMMAND, then
 * core.sshCommand, then GIT_SSH (a program, no arguments), then `ssh`; setting GIT_SSH_COMMAND
 * ourselves would hide the other two, so we start from the one git would have used. OpenSSH
 * gets `-o BatchMode=yes` (appended: git adds its own arguments after the command, and an
 * explicit `-o BatchMode=no` earlier in the user's command still wins, which is their choice).
 * PuTTY's plink gets `-batch`; TortoisePlink gets it from git already. Any other program (a
 * wrapper script) is left as it is: we cannot know its options, and passing `-o` might break it.
 */
export function batchSshCommand(env: Env, settings: SshSettings = {}): string | undefined {
  const override = env.GIT_SSH_VARIANT ?? settings.sshVariant;
  let command: string;
  if (env.GIT_SSH_COMMAND) command = env.GIT_SSH_COMMAND;
  else if (settings.coreSshCommand) command = settings.coreSshCommand;
  // quoted for the POSIX shell git runs GIT_SSH_COMMAND with (Git for Windows too)
  else if (env.GIT_SSH) command = posixQuote(env.GIT_SSH);
  else command = 'ssh';
  const variant = variantOf(firstWord(command), override);
  if (variant === 'ssh') return `${command} -o BatchMode=yes`;
  if (variant === 'plink') return `${command} -batch`;
  return undefined;
}

/** The environment git runs with: the caller's, with every prompt switched off (see the top). */
export function noPromptEnv(env: Env, settings: SshSettings = {}): Record<string, string | undefined> {
  const ssh = batchSshCommand(env, settings);
  return {
    ...env,
    LC_ALL: 'C', // messages in English, so gitSync can recognise an authentication failure
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    GCM_INTERACTIVE: 'never',
    SSH_ASKPASS_REQUIRE: 'never',
    ...(ssh === undefined ? {} : { GIT_SSH_COMMAND: ssh }),
  };
}

/** Plain `git <args>` through execFile (no shell), stdin closed, with a deadline. */
function spawnGit(
  args: readonly string[],
  opts: { cwd: string; signal?: AbortSignal; timeoutMs?: number; env: Record<string, string | undefined> },
): Promise<GitRunResult> {
  return new Promise<GitRunResult>((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      {
        cwd: opts.cwd,
        env: opts.env,
        timeout: opts.timeoutMs ?? 60_000,
        signal: opts.signal,
        maxBuffer: 16 * 1024 * 1024,
        windowsHide: true, // no console window flashing up on Windows
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(err instanceof Error ? err : new Error('git could not run')); // missing, deadline, aborted
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(); // anything that reads stdin for an answer gets end-of-file, not a wait
  });
}

/** core.sshCommand and ssh.variant as git in `cwd` sees them (any config level). */
async function sshSettings(cwd: string, env: Record<string, string | undefined>): Promise<SshSettings> {
  const r = await spawnGit(['config', '--get-regexp', '^(core\\.sshcommand|ssh\\.variant)$'], {
    cwd,
    env,
    timeoutMs: 10_000,
  });
  const settings: SshSettings = {};
  for (const line of r.code === 0 ? r.stdout.split('\n') : []) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const key = line.slice(0, space).toLowerCase();
    const value = line.slice(space + 1);
    // the last one listed wins, as it does for git (local config comes after global)
    if (key === 'core.sshcommand') settings.coreSshCommand = value;
    else if (key === 'ssh.variant') settings.sshVariant = value;
  }
  return settings;
}

/** The real git for gitSync: `git <args>` in `cwd`, never prompting, with our own deadline. */
export const execGit: GitRunner = async (args, opts) => {
  const base = noPromptEnv(process.env);
  const env = REMOTE_COMMANDS.has(args[0] ?? '') ? noPromptEnv(process.env, await sshSettings(opts.cwd, base)) : base;
  return spawnGit(['-c', 'core.askPass=', ...args], { ...opts, env });
};
