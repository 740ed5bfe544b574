/**
 * The controller's own Claude login, as bytes to push to peers: the file at
 * `controller.credentialsPath`, or, on macOS where that file does not exist, the login Claude
 * Code keeps in the Keychain instead. Nothing here logs or echoes what it read; errors say what
 * was tried (the file, the Keychain item) and what to do, never the content.
 *
 * The Keychain item (evidence, all public and consistent): Claude Code stores the same JSON the
 * file holds on Linux (`{"claudeAiOauth": {...}}`) as a generic password with service
 * "Claude Code-credentials" and the login name as account. anthropics/claude-code#29783 reads it
 * with `security find-generic-password -s "Claude Code-credentials" -a <user> -w`, #77697
 * describes the item by that name, and #1552 shows Claude Code's own `security` call scoped with
 * `-a $USER`. With CLAUDE_CONFIG_DIR set, the service gets `-<first 8 hex of sha256(dir)>`
 * appended (documented by several tools that read it, e.g. awesome-claude-code's
 * docs/35-oauth-token-storage.md); a credentialsPath outside ~/.claude is taken to mean that.
 *
 * The account: scoped to the login name first, because a Keychain can hold more than one item
 * under that service (one tool found an MCP-only item returned first by an unscoped search);
 * unscoped second, for an item written under another name.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile as fsReadFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';

export const KEYCHAIN_SERVICE = 'Claude Code-credentials';

/** `security` exits with errSecItemNotFound's short code when no item matches. */
const ITEM_NOT_FOUND = 44;

export interface SecurityResult {
  /** Exit status, or null when it was killed (deadline). */
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs macOS `security` with these arguments (no shell). */
export type SecurityRunner = (args: readonly string[]) => Promise<SecurityResult>;

export interface CredentialsSource {
  platform: NodeJS.Platform;
  home: string;
  /** The login name Claude Code files its item under ($USER, as its own `security` call uses). */
  account: string;
  readFile(p: string): Promise<Buffer>;
  runSecurity: SecurityRunner;
}

/** `security` from PATH through execFile: stdin closed, a deadline (a Keychain dialog nobody answers), no window. */
export function execSecurity(env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000): SecurityRunner {
  return (args) =>
    new Promise<SecurityResult>((resolve, reject) => {
      const child = execFile(
        'security',
        [...args],
        { env, timeout: timeoutMs, encoding: 'buffer', maxBuffer: 1024 * 1024, windowsHide: true },
        (err, stdout, stderr) => {
          if (err && typeof err.code !== 'number' && !err.killed) {
            reject(err instanceof Error ? err : new Error('security could not run')); // not there at all (ENOENT)
            return;
          }
          const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
          resolve({ code, stdout, stderr: stderr.toString('utf8') });
        },
      );
      child.stdin?.end();
    });
}

export function currentSource(): CredentialsSource {
  let account = process.env.USER ?? '';
  if (!account) {
    try {
      account = userInfo().username;
    } catch {
      account = ''; // no passwd entry: search by service alone
    }
  }
  return {
    platform: process.platform,
    home: homedir(),
    account,
    readFile: (p) => fsReadFile(p),
    runSecurity: execSecurity(),
  };
}

/** The controller's login could be found neither in the file nor (macOS) in the Keychain. */
export class ControllerLoginNotFound extends Error {
  /** The file's error code (ENOENT…), so callers that only show a code still say something true. */
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'ControllerLoginNotFound';
    this.code = code;
  }
}

/** The Keychain service for the Claude config folder that holds `credentialsPath`. */
export function keychainService(credentialsPath: string, home: string, p: path.PlatformPath = path): string {
  const dir = p.dirname(credentialsPath);
  if (p.resolve(dir) === p.resolve(home, '.claude')) return KEYCHAIN_SERVICE;
  return `${KEYCHAIN_SERVICE}-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

/**
 * `security -w` prints the password and a newline; a password it deems unprintable it prints as
 * hex instead. JSON is never all hex digits, so hex that decodes to a JSON object is decoded.
 */
function passwordBytes(stdout: Buffer): Buffer {
  const text = stdout.toString('latin1').replace(/\r?\n$/, '');
  if (/^(?:[0-9a-f]{2})+$/i.test(text)) {
    const decoded = Buffer.from(text, 'hex');
    if (decoded.toString('utf8').trimStart().startsWith('{')) return decoded;
  }
  return stdout.subarray(0, Buffer.byteLength(text, 'latin1'));
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.trim() ?? '';
}

/** Why a `security` run gave nothing (never its stdout: that would be the secret). */
function securityProblem(r: SecurityResult): string {
  if (r.code === null) return 'security did not answer in time (a Keychain dialog waiting on the Mac’s screen?)';
  if (r.code === ITEM_NOT_FOUND) return 'no such item';
  const said = firstLine(r.stderr);
  const locked = /interaction is not allowed|locked/i.test(said)
    ? '; the Keychain is locked (an SSH session?): unlock it with security unlock-keychain'
    : '';
  return `security exit ${r.code}${said ? `: ${said}` : ''}${locked}`;
}

/**
 * Reads the controller's credentials: the file, else (macOS, file missing) the Keychain item.
 * Throws ControllerLoginNotFound naming both when neither has them; other file errors (a folder
 * in its place, no permission) are thrown as they are, since the file that is there is the one
 * the config names.
 */
export async function readControllerCredentials(
  credentialsPath: string,
  source: CredentialsSource = currentSource(),
): Promise<Buffer> {
  try {
    return await source.readFile(credentialsPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (source.platform !== 'darwin' || (code !== 'ENOENT' && code !== 'ENOTDIR')) throw err;
    return readKeychain(credentialsPath, code, source);
  }
}

async function readKeychain(credentialsPath: string, fileCode: string, source: CredentialsSource): Promise<Buffer> {
  const service = keychainService(credentialsPath, source.home);
  const searches: { args: string[]; label: string }[] = [];
  if (source.account) {
    searches.push({
      args: ['find-generic-password', '-s', service, '-a', source.account, '-w'],
      label: `account "${source.account}"`,
    });
  }
  searches.push({ args: ['find-generic-password', '-s', service, '-w'], label: 'any account' });

  const problems: string[] = [];
  for (const search of searches) {
    let r: SecurityResult;
    try {
      r = await source.runSecurity(search.args);
    } catch (err) {
      problems.push(`security could not run (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      break;
    }
    if (r.code === 0) {
      const bytes = passwordBytes(r.stdout);
      if (bytes.length > 0) return bytes;
      problems.push(`${search.label}: the item is empty`);
      continue;
    }
    problems.push(`${search.label}: ${securityProblem(r)}`);
    if (r.code !== ITEM_NOT_FOUND) break; // locked, denied, timed out: another search fares no better
  }
  throw new ControllerLoginNotFound(
    `the controller's Claude login was found neither in ${credentialsPath} (${fileCode}) nor in the macOS Keychain item "${service}" (${problems.join('; ')}); log in on this Mac (claude /login) and send again, or put the credentials JSON in ${credentialsPath}`,
    fileCode,
  );
}
