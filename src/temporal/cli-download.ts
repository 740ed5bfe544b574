/**
 * The Temporal CLI for `peer-comms dev` / `demo`: the one found on this machine (cli-binary.ts),
 * else the one @temporalio/testing downloads (the SDK's cached download: temporal.download picks
 * the build for this OS, CPU and SDK version). The download lands in `<state dir>/temporal-cli`
 * and is then run like any other binary, so `demo` can still leave its server running for the
 * Web UI, and later runs find it there without the network.
 *
 * Never silent where there is no internet on purpose: `--no-download` or
 * PEER_COMMS_TEMPORAL_DOWNLOAD=never turns it off (tests run with it off).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  TemporalCliNotFound,
  cachedDownload,
  currentLookupHost,
  downloadDir,
  lookForTemporalBinary,
  notFoundMessage,
  type CliLookupHost,
} from './cli-binary';

export const DOWNLOAD_ENV = 'PEER_COMMS_TEMPORAL_DOWNLOAD';

export type DownloadPolicy = 'auto' | 'never';

/** `--no-download` (flag false) or PEER_COMMS_TEMPORAL_DOWNLOAD=never (also no/off/false/0) turn the download off. */
export function downloadPolicy(
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): DownloadPolicy {
  if (flag === false) return 'never';
  const value = (env[DOWNLOAD_ENV] ?? '').trim().toLowerCase();
  return ['never', 'no', 'off', 'false', '0'].includes(value) ? 'never' : 'auto';
}

/** How long the download (30–60 MB) may take before we give up on it. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/**
 * Has the SDK download the CLI into `dir`, in a child process (see cli-download-child.ts for
 * why). Resolves when the child ended well; rejects with the SDK's reason otherwise.
 */
export function downloadWithSdk(dir: string, timeoutMs = DOWNLOAD_TIMEOUT_MS): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const compiled = __filename.endsWith('.js');
  const child = join(__dirname, compiled ? 'cli-download-child.js' : 'cli-download-child.ts');
  // running from source (tsx); a file URL, since --import refuses a bare C:\ path on Windows
  const loader = compiled ? [] : ['--import', pathToFileURL(require.resolve('tsx')).href];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...loader, child, dir], {
      // the throwaway server's banner goes to stdout: drop it; stderr says why a download failed
      stdio: ['ignore', 'ignore', 'pipe'],
      windowsHide: true,
    });
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-4000);
    });
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`it did not finish within ${Math.round(timeoutMs / 60_000)} min`));
    }, timeoutMs);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const lines = stderr.split(/\r?\n/).filter((l) => l.trim() !== '');
      reject(new Error(lines.at(-1) ?? `the download process ended with ${signal ?? `exit code ${code}`}`));
    });
  });
}

export interface LocateOptions {
  policy: DownloadPolicy;
  /** Progress lines (the download takes a while); default: none. */
  log?: (line: string) => void;
  host?: CliLookupHost;
  /** The download; default downloadWithSdk. Tests pass a fake (they have no internet). */
  download?: (dir: string) => Promise<void>;
}

/**
 * The Temporal CLI to run: found here, else downloaded (policy 'auto'). Throws
 * TemporalCliNotFound naming every way to get one.
 */
export async function locateTemporalCli(opts: LocateOptions): Promise<string> {
  const host = opts.host ?? currentLookupHost();
  const { found, looked } = lookForTemporalBinary('temporal', host);
  if (found) return found;
  if (opts.policy === 'never') {
    throw new TemporalCliNotFound(
      notFoundMessage(host, looked, `The download is off (--no-download or ${DOWNLOAD_ENV}=never)`),
    );
  }
  const dir = downloadDir(host);
  opts.log?.(
    `the Temporal CLI is not installed here: downloading it once through the Temporal SDK into ${dir} (needs internet; --no-download or ${DOWNLOAD_ENV}=never turns this off)`,
  );
  let reason: string | undefined;
  try {
    await (opts.download ?? downloadWithSdk)(dir);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    reason = text.length > 300 ? `${text.slice(0, 300)}…` : text; // the SDK repeats the URL in nested causes
  }
  // Looked for even after a failure: the SDK downloads first and may fail only afterwards
  // (its throwaway server must answer within 5 s).
  const downloaded = cachedDownload(host);
  if (downloaded) {
    opts.log?.(`  downloaded: ${downloaded}`);
    return downloaded;
  }
  throw new TemporalCliNotFound(
    notFoundMessage(
      host,
      looked,
      `The download through the Temporal SDK failed: ${reason ?? `no temporal-sdk-typescript-* file arrived in ${dir}`}`,
    ),
  );
}
