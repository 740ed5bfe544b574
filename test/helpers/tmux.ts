/**
 * A private tmux server for tests (`tmux -L pc-<prefix>-<random>`, no config file), driven
 * with execFile (no shell), plus `standinCommand` which builds the shell command that starts
 * the stand-in agent in a pane.
 *
 *   const tmux = await TmuxServer.start('e2e');
 *   await tmux.newSession('a', standinCommand({ log: logPath, workMs: 1000 }));
 *   await tmux.paste('a', 'text\r\nwith CRLF');   // bracketed paste through a tmux buffer
 *   await tmux.sendKeys('a', 'C-m');
 *   const screen = await tmux.capture('a');
 *   await tmux.kill();                            // in after(), always
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface RunResult {
  /** Exit status; null when tmux was killed by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface NewSessionOptions {
  width?: number;
  height?: number;
  cwd?: string;
  /** Extra environment for the session's command (`new-session -e NAME=value`). */
  env?: Readonly<Record<string, string>>;
  /** Keep the pane after its command exits, so `paneDead` can read the exit status. */
  remainOnExit?: boolean;
}

export class TmuxServer {
  private constructor(readonly socketName: string) {}

  /** A server on a fresh socket name; tmux itself starts with the first session. */
  static async start(prefix = 'test'): Promise<TmuxServer> {
    const server = new TmuxServer(`pc-${prefix}-${randomBytes(4).toString('hex')}`);
    const res = await server.run(['-V']);
    if (res.code !== 0) throw new Error(`tmux is not usable: ${res.stderr || res.stdout}`);
    return server;
  }

  /** Runs `tmux -L <socket> -f /dev/null <args...>`; never rejects on a non-zero exit. */
  run(args: readonly string[], input?: string | Buffer): Promise<RunResult> {
    const env = { ...process.env };
    delete env.TMUX;
    delete env.TMUX_PANE;
    return new Promise((done, fail) => {
      const child = execFile(
        'tmux',
        ['-L', this.socketName, '-f', '/dev/null', ...args],
        { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 15_000 },
        (err, stdout, stderr) => {
          if (!err) {
            done({ code: 0, stdout, stderr });
          } else if (typeof err.code === 'string') {
            fail(new Error(`cannot run tmux: ${err.message}`)); // not installed (ENOENT) and the like
          } else {
            done({ code: typeof err.code === 'number' ? err.code : null, stdout, stderr });
          }
        },
      );
      child.stdin?.on('error', () => undefined); // EPIPE when tmux exits without reading
      child.stdin?.end(input ?? '');
    });
  }

  /** Like `run`, but throws with tmux's message when it fails. */
  async check(args: readonly string[], input?: string | Buffer): Promise<string> {
    const res = await this.run(args, input);
    if (res.code !== 0) throw new Error(`tmux ${args.join(' ')} failed (${res.code}): ${res.stderr.trim()}`);
    return res.stdout;
  }

  /** A detached session of the given size running `command` (a shell command string). */
  async newSession(name: string, command: string, opts: NewSessionOptions = {}): Promise<void> {
    const args = ['new-session', '-d', '-s', name, '-x', String(opts.width ?? 200), '-y', String(opts.height ?? 50)];
    if (opts.cwd) args.push('-c', opts.cwd);
    for (const [k, v] of Object.entries(opts.env ?? {})) args.push('-e', `${k}=${v}`);
    args.push(command);
    if (opts.remainOnExit) args.push(';', 'set-option', '-t', name, 'remain-on-exit', 'on');
    await this.check(args);
  }

  /** The pane's text as `tmux capture-pane -p` prints it. */
  capture(target: string): Promise<string> {
    return this.check(['capture-pane', '-p', '-t', target]);
  }

  /** `tmux send-keys -t target keys...` (key names such as C-m, Escape, Down). */
  async sendKeys(target: string, ...keys: string[]): Promise<void> {
    await this.check(['send-keys', '-t', target, ...keys]);
  }

  /** Types `text` literally (`send-keys -l`). */
  async sendLiteral(target: string, text: string): Promise<void> {
    await this.check(['send-keys', '-t', target, '-l', text]);
  }

  /**
   * Bracketed paste of `text`, byte-exact: load-buffer from stdin, then
   * `paste-buffer -p -r -d` (bracketed, no LF->CR translation, buffer deleted).
   * `after` adds tmux commands run in the same tmux call, e.g. ['send-keys', '-t', t, 'C-m'].
   */
  async paste(target: string, text: string | Buffer, after: readonly string[] = []): Promise<void> {
    const buffer = `pc-${randomBytes(4).toString('hex')}`;
    await this.check(['load-buffer', '-b', buffer, '-'], text);
    const args = ['paste-buffer', '-p', '-r', '-d', '-b', buffer, '-t', target];
    await this.check(after.length > 0 ? [...args, ';', ...after] : args);
  }

  /**
   * Whether the pane's command has exited (needs remainOnExit) and its exit status. tmux 3.3a
   * sometimes leaves the status empty (null here) even after a normal exit; when a test needs
   * the status, append `; echo $? > file` to the command instead.
   */
  async paneState(target: string): Promise<{ dead: boolean; status: number | null; pid: number | null }> {
    const out = await this.check([
      'display-message',
      '-p',
      '-t',
      target,
      '#{pane_dead} #{pane_dead_status} #{pane_pid}',
    ]);
    const [dead, status, pid] = out.trim().split(' ');
    return {
      dead: dead === '1',
      status: status ? Number(status) : null,
      pid: pid ? Number(pid) : null,
    };
  }

  async hasSession(name: string): Promise<boolean> {
    return (await this.run(['has-session', '-t', name])).code === 0;
  }

  /** Ends the server and everything in it and removes its socket; fine when it never started. */
  async kill(): Promise<void> {
    const where = await this.run(['display-message', '-p', '#{socket_path}']);
    await this.run(['kill-server']);
    const socketPath = where.code === 0 ? where.stdout.trim() : '';
    if (socketPath.endsWith(`/${this.socketName}`)) await rm(socketPath, { force: true });
  }
}

/** Quotes one word for a POSIX shell: 'it'\''s'. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface StandinFlags {
  log?: string;
  pidFile?: string;
  cwdLabel?: string;
  workMs?: number;
  collapseLines?: number;
  pasteEnterWindowMs?: number;
  trustDialog?: boolean;
  authFail?: boolean;
  authRetries?: number;
  authRetryMs?: number;
  /** Folder for PHONE-HOME / DONE files written on prompt lines (see src/standin/inbox.ts). */
  inbox?: string;
  /** Credentials file read at start: an expired token makes every turn fail with 401. */
  credentials?: string;
  /** Claude Code settings file (receipt hooks), as `claude --settings <file>`. */
  settings?: string;
  /** Where the stand-in writes its session transcript (tests keep it out of the real ~/.claude). */
  transcriptDir?: string;
  /** Every turn fails with a 429 (API-key style, not retried). */
  rateLimit?: boolean;
  /** Turns hit an OAuth usage limit that resets this many ms later; the agent then continues by itself. */
  usageLimitMs?: number;
  /** Run dist/standin/agent.js (after `npm run build`) instead of the TypeScript source. */
  compiled?: boolean;
}

const REPO_ROOT = resolve(__dirname, '..', '..');

/** argv that starts the stand-in agent (node, loader, script, flags). */
export function standinArgv(flags: StandinFlags = {}): string[] {
  const argv = flags.compiled
    ? [process.execPath, resolve(REPO_ROOT, 'dist', 'standin', 'agent.js')]
    : [
        process.execPath,
        '--import',
        pathToFileURL(require.resolve('tsx', { paths: [REPO_ROOT] })).href,
        resolve(REPO_ROOT, 'src', 'standin', 'agent.ts'),
      ];
  const value = (flag: string, v: string | number | undefined): void => {
    if (v !== undefined) argv.push(flag, String(v));
  };
  value('--log', flags.log);
  value('--pid-file', flags.pidFile);
  value('--cwd-label', flags.cwdLabel);
  value('--work-ms', flags.workMs);
  value('--collapse-lines', flags.collapseLines);
  value('--paste-enter-window-ms', flags.pasteEnterWindowMs);
  value('--auth-retries', flags.authRetries);
  value('--auth-retry-ms', flags.authRetryMs);
  value('--inbox', flags.inbox);
  value('--credentials', flags.credentials);
  value('--settings', flags.settings);
  value('--transcript-dir', flags.transcriptDir);
  value('--usage-limit', flags.usageLimitMs);
  if (flags.rateLimit) argv.push('--rate-limit');
  if (flags.trustDialog) argv.push('--trust-dialog');
  if (flags.authFail) argv.push('--auth-fail');
  return argv;
}

/** The shell command (every word single-quoted) for tmux new-session / respawn-pane. */
export function standinCommand(flags: StandinFlags = {}): string {
  return standinArgv(flags).map(shQuote).join(' ');
}
