/**
 * Where installers and pip put the Temporal CLI on Windows, macOS and Linux (folders that are
 * often not on PATH), and how to ask Python for its scripts folders. Looked at by cli-binary.ts.
 */
import { envValue } from '../config/paths';
import { ownBinDir, type CliLookupHost } from './cli-lookup-host';

/** Versioned sub-folders (`Python312`, `3.11`) of `parent` matching `pattern`, newest first. */
function versionedDirs(host: CliLookupHost, parent: string, pattern: RegExp): string[] {
  return host
    .list(parent)
    .filter((n) => pattern.test(n))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    .map((n) => host.path.join(parent, n));
}

/** A group of folders to look in: `label` (the pattern, for the not-found message), `dirs` expanded. */
export interface Place {
  label: string;
  dirs: () => string[];
}

/** Folders where installers and pip put the CLI, checked without running anything. */
export function knownPlaces(host: CliLookupHost): Place[] {
  const own: Place = { label: ownBinDir(host), dirs: () => [ownBinDir(host)] };
  return [own, ...installerPlaces(host)];
}

function installerPlaces(host: CliLookupHost): Place[] {
  const p = host.path;
  const home = host.home;
  if (host.platform === 'win32') {
    const appData = envValue('APPDATA', host) ?? p.join(home, 'AppData', 'Roaming');
    const localAppData = envValue('LOCALAPPDATA', host) ?? p.join(home, 'AppData', 'Local');
    const programFiles = envValue('ProgramFiles', host) ?? 'C:\\Program Files';
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
        dirs: () => [p.join(envValue('SCOOP', host) ?? p.join(home, 'scoop'), 'shims')],
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
 * Python's own scripts folders, both the install's and the user scheme's (`pip install --user`;
 * on macOS framework builds that is ~/Library/Python/3.x/bin, which `get_preferred_scheme`
 * knows and `posix_user` does not).
 */
export const PYTHON_SCRIPTS = [
  'import os, sysconfig',
  "pref = getattr(sysconfig, 'get_preferred_scheme', None)",
  "print(sysconfig.get_path('scripts'))",
  "print(sysconfig.get_path('scripts', pref('user') if pref else os.name + '_user'))",
].join('\n');

export function pythons(host: CliLookupHost): string[][] {
  // On Windows the `py` launcher is the reliable one; `python3`/`python` may be the Store's stand-in.
  return host.platform === 'win32' ? [['py', '-3'], ['python'], ['python3']] : [['python3'], ['python']];
}
