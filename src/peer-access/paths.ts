/**
 * Path checks shared by the SSH and local shells. Paths come from config and callers; a `..`
 * segment or a NUL byte is refused before anything touches a file system.
 */

/** Throws a readable Error when `path` is empty, holds a NUL byte or has a `..` segment. */
export function assertSafePath(peer: string, path: string): void {
  if (path.length === 0) throw new Error(`${peer}: empty path`);
  if (path.includes('\0')) throw new Error(`${peer}: path ${JSON.stringify(path)} contains a NUL byte`);
  if (path.split(/[\\/]/).includes('..')) {
    throw new Error(`${peer}: path ${JSON.stringify(path)} has a ".." segment; use a path without it`);
  }
}

/**
 * For a remote (POSIX) peer over SFTP: `~/x` becomes `x` (SFTP resolves relative paths against
 * the login home), `~` becomes `.`, anything else is returned unchanged.
 */
export function sftpPath(peer: string, path: string): string {
  assertSafePath(peer, path);
  if (path === '~') return '.';
  if (path.startsWith('~/')) {
    const rest = path.slice(2).replace(/^\/+/, '');
    return rest === '' ? '.' : rest;
  }
  if (path.startsWith('~')) throw new Error(`${peer}: path ${JSON.stringify(path)}: only "~/" (own home) is supported`);
  return path;
}
