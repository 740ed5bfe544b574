/**
 * What the Temporal CLI lookup (cli-binary.ts) depends on, as one object: the platform, the
 * environment, the file system and running a program. `currentLookupHost()` is this process;
 * tests pass a stub with `path.win32` to check the Windows rules on Linux.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path, { type PlatformPath } from 'node:path';
import { userStateDir } from '../config/paths';

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
