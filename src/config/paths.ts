/** Controller-side paths. The controller may be Windows: only node:path and node:os here. */
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

/** Expands a leading `~/` (or `~\`) to the controller user's home directory. */
export function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/') || p.startsWith('~\\')) return join(homedir(), p.slice(2));
  return resolve(p);
}

/** The per-user config folder: %APPDATA% on Windows, ~/Library/Application Support on macOS, XDG elsewhere. */
export function userConfigDir(): string {
  if (platform() === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'peer-comms');
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Application Support', 'peer-comms');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'peer-comms');
}

/** The per-user state folder (dev server database, demo peer files). */
export function userStateDir(): string {
  if (platform() === 'win32')
    return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'peer-comms');
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'peer-comms');
}
