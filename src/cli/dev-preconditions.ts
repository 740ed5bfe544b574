/**
 * What `peer-comms dev`, `demo` and the controller worker check before they start anything, so a
 * machine that cannot run them gets one line (exit 2) instead of a half-started stack: a peer
 * that is this machine (`via: local`) needs tmux, which Windows does not have, and the dev
 * server needs the Temporal CLI.
 */
import type { Config } from '../config/schema';
import { TemporalCliNotFound } from '../temporal/cli-binary';
import { downloadPolicy, locateTemporalCli } from '../temporal/cli-download';
import { portOpen } from '../temporal/dev-server';
import { UsageError } from './exit';

/**
 * How to run `command` in the WSL checkout: `--cd` takes only `~`, `/path` or a Windows path, and
 * `wsl -- npm …` runs without a login shell, so nvm's node would not be on PATH; `bash -lc`
 * reads the profile first (docs/windows.md says the same).
 */
function inWsl(command: string): string {
  return `wsl -- bash -lc "cd ~/peer-comms && ${command}"`;
}

/** The demo's peer is this machine (tmux + a stand-in agent): not on Windows. */
export function refuseDemoOnWindows(platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'win32') return;
  throw new UsageError(
    `the demo's peer is this machine (tmux running a stand-in agent), and Windows has no tmux: run the demo inside WSL (clone and npm install there, then e.g. \`${inWsl('npm run demo')}\`), or send to a Linux peer over SSH (peers.example.yaml shows one); nothing was started`,
  );
}

/** A controller on Windows cannot serve `via: local` peers: they would need tmux on Windows. */
export function refuseLocalPeersOnWindows(
  config: Pick<Config, 'peers'>,
  file: string | undefined,
  platform: NodeJS.Platform = process.platform,
): void {
  if (platform !== 'win32') return;
  const local = Object.entries(config.peers)
    .filter(([, p]) => p.via === 'local')
    .map(([name]) => `"${name}"`);
  if (local.length === 0) return;
  const which = local.length === 1 ? `peer ${local[0]} is` : `peers ${local.join(', ')} are`;
  throw new UsageError(
    `${which} via: local${file ? ` in ${file}` : ''}, which runs tmux on this machine, and Windows has no tmux: run the controller inside WSL (a checkout installed there, e.g. \`${inWsl('npx peer-comms dev')}\`), or make it a Linux peer reached via: ssh (host, user); nothing was started`,
  );
}

/**
 * The Temporal CLI for a dev server on `port`: undefined when a server already listens there
 * (it is reused), else found or downloaded. None at all: a UsageError (exit 2) naming every way
 * to get one.
 */
export async function temporalCliFor(
  port: number,
  opts: { download: boolean | undefined; log: (line: string) => void },
): Promise<string | undefined> {
  if (await portOpen(port)) return undefined;
  try {
    return await locateTemporalCli({ policy: downloadPolicy(opts.download), log: opts.log });
  } catch (err) {
    if (err instanceof TemporalCliNotFound) throw new UsageError(err.message);
    throw err;
  }
}
