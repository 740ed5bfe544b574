/**
 * Controller-side paths. The controller may be Windows or macOS: only node:path and node:os
 * here, and every function takes the host it describes (platform, environment, home, cwd, path
 * module) so tests can check the Windows rules with `path.win32` on Linux.
 *
 * Peer paths (Linux, `~/` meaning the peer user's home) never come through here: they are
 * resolved on the peer (see peer-access/paths.ts).
 */
import { homedir } from 'node:os';
import path, { type PlatformPath } from 'node:path';

/** What a controller path depends on. `currentHost()` is this process. */
export interface ControllerHost {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  cwd: string;
  /** `path.win32` for Windows, `path.posix` elsewhere. */
  path: PlatformPath;
}

export function currentHost(): ControllerHost {
  return { platform: process.platform, env: process.env, home: homedir(), cwd: process.cwd(), path };
}

/** A controller path that names a variable which is not set (or a `~user` we cannot resolve). */
export class ControllerPathError extends Error {
  constructor(
    readonly input: string,
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ControllerPathError';
  }
}

/**
 * An environment variable's value; empty counts as unset. Windows variable names ignore case
 * (`%UserProfile%`, `Path`), and `process.env` does that itself, but an injected env is a plain
 * object, so we look it up the same way. The one lookup for every host description (the
 * Temporal CLI lookup's too).
 */
export function envValue(
  name: string,
  host: { platform: NodeJS.Platform; env: Readonly<Record<string, string | undefined>> },
): string | undefined {
  let value = host.env[name];
  if (value === undefined && host.platform === 'win32') {
    const key = Object.keys(host.env).find((k) => k.toUpperCase() === name.toUpperCase());
    value = key === undefined ? undefined : host.env[key];
  }
  return value || undefined;
}

/**
 * A variable in a controller path. HOME falls back to the home folder: Windows has no HOME by
 * default, yet `$HOME/...` is what people paste from Linux instructions.
 */
function pathVariable(name: string, host: ControllerHost): string | undefined {
  return envValue(name, host) ?? (name.toUpperCase() === 'HOME' ? host.home : undefined);
}

// `${NAME}` or `$NAME` everywhere; on Windows also `%NAME%` and PowerShell's `$env:NAME` (`%`
// is an ordinary file-name character elsewhere). A `$` or `%` that starts no name
// (`\\server\c$\x`, `50%`) stays as is. One pass, so a value is never expanded again.
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const POSIX_VARS = new RegExp(`\\$\\{(${NAME})\\}|\\$(${NAME})`, 'g');
const WINDOWS_VARS = new RegExp(`\\$env:(${NAME})|\\$\\{(${NAME})\\}|\\$(${NAME})|%(${NAME}(?:\\(x86\\))?)%`, 'gi');

function expandVariables(p: string, host: ControllerHost): string {
  const windows = host.platform === 'win32';
  return p.replace(windows ? WINDOWS_VARS : POSIX_VARS, (whole: string, ...groups: unknown[]) => {
    const name = groups.slice(0, windows ? 4 : 2).find((g): g is string => typeof g === 'string') ?? whole;
    const value = pathVariable(name, host);
    if (value === undefined) {
      throw new ControllerPathError(
        p,
        name,
        `the path "${p}" uses ${whole}, but ${name} is not set on this controller; set it, or write the path out in full`,
      );
    }
    return value;
  });
}

/**
 * A controller-side path as typed in peers.yaml, --config or an environment variable, made
 * absolute: a leading `~` (`~/`, and `~\` too) is the controller user's home; `$HOME`,
 * `${VAR}`, and on Windows `%VAR%` are expanded; anything relative is taken from the current
 * folder. A variable that is not set is an error naming it: silently keeping `%USERPROFILE%`
 * as a folder name would make a relative path nobody meant.
 */
export function expandHome(p: string, host: ControllerHost = currentHost()): string {
  const { path: hp } = host;
  let rest = p;
  let base = host.cwd;
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) {
    base = host.home;
    rest = p.slice(2);
  } else if (p.startsWith('~')) {
    const user = p.slice(1).split(/[/\\]/)[0] ?? '';
    throw new ControllerPathError(
      p,
      `~${user}`,
      `the path "${p}" starts with ~${user}: only "~" (your own home) is understood on the controller; write the path out in full`,
    );
  }
  return hp.resolve(base, expandVariables(rest, host));
}

/** XDG_* values count only when absolute (the XDG spec: relative ones are to be ignored). */
function xdgDir(name: string, host: ControllerHost, fallback: string): string {
  const value = host.env[name];
  return value && host.path.isAbsolute(value) ? value : fallback;
}

/**
 * The per-user config folder: %APPDATA%\peer-comms on Windows; `$XDG_CONFIG_HOME/peer-comms`
 * (default `~/.config/peer-comms`) on Linux and macOS. macOS follows XDG, not
 * ~/Library/Application Support, because peer-comms is a command-line tool and that is where
 * such tools (git, gh, …) keep their files and where the README has always pointed. The folder
 * used before is still read: see `legacyConfigDirs`.
 */
export function userConfigDir(host: ControllerHost = currentHost()): string {
  const { path: hp } = host;
  if (host.platform === 'win32') {
    return hp.join(envValue('APPDATA', host) ?? hp.join(host.home, 'AppData', 'Roaming'), 'peer-comms');
  }
  return hp.join(xdgDir('XDG_CONFIG_HOME', host, hp.join(host.home, '.config')), 'peer-comms');
}

/** Config folders of earlier versions, still searched after `userConfigDir` (macOS only). */
export function legacyConfigDirs(host: ControllerHost = currentHost()): string[] {
  if (host.platform !== 'darwin') return [];
  return [host.path.join(host.home, 'Library', 'Application Support', 'peer-comms')];
}

/**
 * The per-user state folder (dev server database, demo peer files): %LOCALAPPDATA%\peer-comms
 * on Windows; `$XDG_STATE_HOME/peer-comms` (default `~/.local/state/peer-comms`) on Linux and
 * macOS (it has always been that on macOS, so nothing moved).
 */
export function userStateDir(host: ControllerHost = currentHost()): string {
  const { path: hp } = host;
  if (host.platform === 'win32') {
    return hp.join(envValue('LOCALAPPDATA', host) ?? hp.join(host.home, 'AppData', 'Local'), 'peer-comms');
  }
  return hp.join(xdgDir('XDG_STATE_HOME', host, hp.join(host.home, '.local', 'state')), 'peer-comms');
}
