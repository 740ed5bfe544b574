/**
 * The start of every tmux argv: `tmux` and the server's socket, and the checks of the plain
 * values (paths, sizes, commands) the argv builders in commands.ts and buffers.ts take.
 */
import { assertSocketName } from './target';

/** Which tmux server: `-L name`, `-S path`, or neither for the user's default server. */
export interface TmuxSocket {
  name?: string;
  path?: string;
}

/** `tmux` plus the socket selector. */
export function tmuxBase(sock: TmuxSocket): string[] {
  if (sock.name !== undefined && sock.path !== undefined) {
    throw new Error('tmux socket: give a name (-L) or a path (-S), not both');
  }
  if (sock.name !== undefined) return ['tmux', '-L', assertSocketName(sock.name)];
  if (sock.path !== undefined) return ['tmux', '-S', nonEmpty(sock.path, 'tmux socket path')];
  return ['tmux'];
}

export function nonEmpty(value: string, what: string): string {
  if (value === '') throw new Error(`${what} is empty`);
  return noNul(value, what);
}

export function noNul(value: string, what: string): string {
  if (value.includes('\0')) throw new Error(`${what} cannot hold a NUL byte`);
  return value;
}

export function dimension(n: number, what: string): string {
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw new Error(`tmux ${what} must be an integer 1..10000, got ${n}`);
  return String(n);
}
