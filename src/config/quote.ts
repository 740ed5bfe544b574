/**
 * Quoting one argument of a command we suggest to a person (in an error message or hint), for
 * the shell they will paste it into: PowerShell on a Windows controller, a POSIX shell
 * elsewhere. Paths on Windows routinely hold spaces (`C:\Users\Jane Doe\.ssh\known_hosts`)
 * and `[host]:port` is a glob in sh, so a command printed unquoted breaks when pasted.
 */

export type ControllerShell = 'powershell' | 'posix';

/** The shell a person on this platform most likely pastes into. */
export function shellFor(platform: NodeJS.Platform = process.platform): ControllerShell {
  return platform === 'win32' ? 'powershell' : 'posix';
}

/** A POSIX shell word: bare when it holds only safe characters, else in single quotes. */
export function posixQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A PowerShell argument. Double quotes read best and are what people expect around a Windows
 * path, but inside them `$` and the backtick still expand; such an argument goes in single
 * quotes, where nothing expands and a quote is doubled. PowerShell also takes the typographic
 * quotes (U+2018..U+201E) as quotes, so they count as quotes too.
 */
export function powershellQuote(arg: string): string {
  // `,` makes an array and a leading `-` or `@` a parameter or a splat: those are quoted too.
  if (/^[A-Za-z0-9_%+=:./\\-]+$/.test(arg) && !arg.startsWith('-')) return arg;
  if (!/[$`"\u201c\u201d\u201e]/.test(arg)) return `"${arg}"`;
  return `'${arg.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
}

/** One argument quoted for `shell`. */
export function quoteArg(shell: ControllerShell, arg: string): string {
  return shell === 'powershell' ? powershellQuote(arg) : posixQuote(arg);
}

/** A path argument for `shell`: always quoted in PowerShell (a path is where spaces appear). */
export function quotePath(shell: ControllerShell, path: string): string {
  if (shell === 'posix') return posixQuote(path);
  return /[$`"\u201c\u201d\u201e]/.test(path) ? powershellQuote(path) : `"${path}"`;
}
