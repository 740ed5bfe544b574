/**
 * Runs the real Claude Code (pinned, see claude-code.ts) offline in a private tmux server
 * against the fake Messages API (test/helpers/fake-anthropic.ts), with a throwaway HOME, a
 * workdir, and a `--settings` file whose hooks append every hook event's stdin JSON to a log.
 *
 *   const api = await FakeAnthropic.start();
 *   const cc = await ClaudeHarness.create({ api });
 *   await cc.start();                       // waits for classifyScreen(...) === 'idle'
 *   await cc.paste('hello\nworld'); await cc.tmux.sendKeys(cc.session, 'C-m');
 *   await cc.waitForEvent('Stop');
 *   await cc.cleanup(); await api.close();  // in after(), always
 *
 * `commandLine()` is the shell command a peers.yaml `recovery: {method: tmux, command: ...}`
 * would run to start the same agent (env -i + the offline env + executable + args), so the
 * end-to-end contract tests can let peer-comms itself (re)start it over SSH.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyScreen, type Classification, type ScreenState } from '../../src/tmux/screen';
import type { FakeAnthropic } from '../helpers/fake-anthropic';
import { shQuote, TmuxServer } from '../helpers/tmux';
import { waitFor } from '../helpers/wait';
import { claudeCodeVersion, claudeExecutable } from './claude-code';

export const HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit', 'Stop', 'StopFailure'] as const;
export type HookEventName = (typeof HOOK_EVENTS)[number];

export interface HookRecord {
  /** ms since epoch when the hook ran (date +%s%N in the hook). */
  t: number;
  /** The event the hook was registered for. */
  event: string;
  /** The hook's stdin, parsed. */
  stdin: Record<string, unknown>;
  /** The file holding the hook's stdin exactly as received. */
  file: string;
}

export interface HarnessOptions {
  /** The fake API (its url becomes ANTHROPIC_BASE_URL). */
  api: Pick<FakeAnthropic, 'url'>;
  /** Folder trust already accepted in ~/.claude.json (default true; false gives the trust dialog). */
  trusted?: boolean;
  /** Install the hook settings (default true). */
  hooks?: boolean;
  /** Text the UserPromptSubmit hook prints on stdout (to see whether Claude uses it). */
  promptHookStdout?: string;
  /** Prefix for the tmux socket and temp dir names. */
  prefix?: string;
  width?: number;
  height?: number;
  /**
   * How claude authenticates against the fake API: 'api-key' (default; ANTHROPIC_API_KEY,
   * approved in ~/.claude.json), 'oauth-file' (~/.claude/.credentials.json, like a real peer),
   * 'oauth-env' (CLAUDE_CODE_OAUTH_TOKEN). 401 and 429 behave differently (FINDINGS.md §1a).
   */
  auth?: 'api-key' | 'oauth-file' | 'oauth-env';
  /** Environment changes for claude (a value of null removes the variable, e.g. ANTHROPIC_API_KEY). */
  env?: Readonly<Record<string, string | null>>;
}

export class ClaudeHarness {
  readonly session = 'cc';
  private constructor(
    readonly tmux: TmuxServer,
    /** The temp root: home/, work/, hooks/ below it. */
    readonly root: string,
    readonly home: string,
    readonly workdir: string,
    readonly settingsPath: string,
    readonly eventsLog: string,
    readonly apiKey: string,
    /** The OAuth access token claude starts with ('oauth-file' / 'oauth-env'), else null. */
    readonly oauthToken: string | null,
    readonly env: Readonly<Record<string, string>>,
    private readonly opts: HarnessOptions,
  ) {}

  static async create(opts: HarnessOptions): Promise<ClaudeHarness> {
    const exe = claudeExecutable(); // throws with the install hint before anything is created
    void exe;
    const prefix = opts.prefix ?? 'cc';
    const root = await realpath(await mkdtemp(join(tmpdir(), `pc-${prefix}-`)));
    const home = join(root, 'home');
    const workdir = join(root, 'work');
    const hooksDir = join(root, 'hooks');
    await mkdir(home, { recursive: true });
    await mkdir(workdir, { recursive: true });
    await mkdir(join(hooksDir, 'raw'), { recursive: true });
    // claude keeps per-session scratch under $TMPDIR (claude-<uid>/…, cc-socks/): inside root, removed with it
    await mkdir(join(root, 'tmp'), { recursive: true });
    const apiKey = `sk-ant-api03-${randomBytes(30).toString('base64url')}-${randomBytes(4).toString('hex')}AA`;
    await writeClaudeJson(home, workdir, apiKey, opts.trusted ?? true);

    const eventsLog = join(hooksDir, 'events.jsonl');
    const hookScript = join(hooksDir, 'hook.sh');
    await writeFile(
      hookScript,
      [
        '#!/bin/sh',
        '# $1 = the event it is registered for; stdin = the event JSON. Appends one line to events.jsonl.',
        `d=${shQuote(hooksDir)}`,
        'n=$(date +%s%N)',
        'f="$d/raw/$n-$$-$1.json"',
        'cat > "$f"',
        // stdin is one JSON line plus a newline; newlines outside strings are dropped to keep one line
        `{ printf '{"t":%s,"event":"%s","file":"%s","stdin":' "\${n%??????}" "$1" "$f"; tr -d '\\n' < "$f"; printf '}\\n'; } >> "$d/events.jsonl"`,
        'if [ "$1" = UserPromptSubmit ] && [ -f "$d/prompt-stdout.txt" ]; then cat "$d/prompt-stdout.txt"; fi',
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(hookScript, 0o755);
    if (opts.promptHookStdout !== undefined)
      await writeFile(join(hooksDir, 'prompt-stdout.txt'), opts.promptHookStdout);
    const settingsPath = join(hooksDir, 'settings.json');
    const hooks: Record<string, unknown> = {};
    for (const ev of HOOK_EVENTS)
      hooks[ev] = [{ hooks: [{ type: 'command', command: `${shQuote(hookScript)} ${ev}`, timeout: 5 }] }];
    await writeFile(settingsPath, JSON.stringify(opts.hooks === false ? {} : { hooks }, null, 2) + '\n', {
      mode: 0o600,
    });

    const env: Record<string, string> = {
      HOME: home,
      ANTHROPIC_BASE_URL: opts.api.url,
      ANTHROPIC_API_KEY: apiKey,
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      LANG: 'C.UTF-8',
      TMPDIR: join(root, 'tmp'),
    };
    const auth = opts.auth ?? 'api-key';
    const oauthToken = `sk-ant-oat01-${randomBytes(60).toString('base64url')}`;
    if (auth !== 'api-key') delete env.ANTHROPIC_API_KEY;
    if (auth === 'oauth-env') env.CLAUDE_CODE_OAUTH_TOKEN = oauthToken;
    if (auth === 'oauth-file') {
      await mkdir(join(home, '.claude'), { recursive: true });
      const credentials = {
        claudeAiOauth: {
          accessToken: oauthToken,
          refreshToken: `sk-ant-ort01-${randomBytes(60).toString('base64url')}`,
          expiresAt: Date.now() + 24 * 3600_000,
          scopes: ['user:inference', 'user:profile', 'user:sessions:claude_code'],
          subscriptionType: 'max',
          rateLimitTier: 'default_claude_max_20x',
        },
      };
      await writeFile(join(home, '.claude', '.credentials.json'), JSON.stringify(credentials), { mode: 0o600 });
    }
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === null) delete env[k];
      else env[k] = v;
    }
    const tmux = await TmuxServer.start(prefix);
    const token = auth === 'api-key' ? null : oauthToken;
    return new ClaudeHarness(tmux, root, home, workdir, settingsPath, eventsLog, apiKey, token, env, opts);
  }

  /**
   * The shell command that starts this agent in the workdir: `cd W && exec env -i PATH=… TERM=…
   * HOME=… ANTHROPIC_…=… <claude> --settings <file> <args>`. Usable as a peers.yaml recovery
   * `command` and by `start`.
   */
  commandLine(args: readonly string[] = []): string {
    const assigns = Object.entries(this.env).map(([k, v]) => `${k}=${shQuote(v)}`);
    const settings = this.opts.hooks === false ? [] : ['--settings', this.settingsPath];
    return [
      'cd',
      shQuote(this.workdir),
      '&&',
      'exec env -i',
      `PATH=${shQuote(process.env.PATH ?? '/usr/bin:/bin')}`,
      'TERM="${TERM:-tmux-256color}"',
      ...assigns,
      shQuote(claudeExecutable()),
      ...[...settings, ...args].map(shQuote),
    ].join(' ');
  }

  /** Starts claude in the tmux session and waits for `until` (default: the idle input box). */
  async start(
    args: readonly string[] = [],
    until: (c: Classification) => boolean = (c) => c.state === 'idle',
    timeoutMs = 30_000,
  ): Promise<Classification> {
    await this.tmux.newSession(this.session, this.commandLine(args), {
      width: this.opts.width ?? 200,
      height: this.opts.height ?? 50,
      cwd: this.workdir,
      remainOnExit: true,
    });
    return this.waitForScreen(until, timeoutMs, 'the started claude screen');
  }

  /** Ends the claude process (kills the session) so it can be started again (e.g. --continue). */
  async stop(): Promise<void> {
    await this.tmux.run(['kill-session', '-t', this.session]);
    await waitFor(async () => !(await this.tmux.hasSession(this.session)), {
      timeoutMs: 10_000,
      what: 'the session to end',
    });
  }

  capture(): Promise<string> {
    return this.tmux.capture(this.session);
  }

  /** `capture-pane -e -p`: escape codes kept (placeholder styling). */
  captureAnsi(): Promise<string> {
    return this.tmux.check(['capture-pane', '-e', '-p', '-t', this.session]);
  }

  async classify(): Promise<Classification> {
    return classifyScreen(await this.capture());
  }

  async state(): Promise<ScreenState> {
    return (await this.classify()).state;
  }

  /** Polls the screen until `pred` holds; the timeout error includes the last screen. */
  async waitForScreen(
    pred: (c: Classification, screen: string) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Classification> {
    let last = '';
    try {
      return await waitFor(
        async () => {
          last = await this.capture();
          const c = classifyScreen(last);
          return pred(c, last) ? c : null;
        },
        { timeoutMs, what, intervalMs: 50 },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- last screen ---\n${last}`);
    }
  }

  /** Types text literally (`send-keys -l`), without submitting. */
  type(text: string): Promise<void> {
    return this.tmux.sendLiteral(this.session, text);
  }

  /** Bracketed paste (load-buffer + paste-buffer -p -r), without submitting. */
  paste(text: string | Buffer): Promise<void> {
    return this.tmux.paste(this.session, text);
  }

  submit(): Promise<void> {
    return this.tmux.sendKeys(this.session, 'C-m');
  }

  /** Every hook event so far, oldest first. */
  async events(): Promise<HookRecord[]> {
    let text: string;
    try {
      text = await readFile(this.eventsLog, 'utf8');
    } catch {
      return [];
    }
    const out: HookRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      out.push(JSON.parse(line) as HookRecord);
    }
    return out;
  }

  /** The raw stdin files of the hooks, oldest first: [file name, exact bytes]. */
  async rawEvents(): Promise<[string, string][]> {
    const dir = join(this.root, 'hooks', 'raw');
    const names = (await readdir(dir)).sort();
    return Promise.all(names.map(async (n) => [n, await readFile(join(dir, n), 'utf8')] as [string, string]));
  }

  /** Waits for the `n`th (1-based, counting from `since` events) hook event of this name. */
  async waitForEvent(event: HookEventName, opts: { since?: number; timeoutMs?: number } = {}): Promise<HookRecord> {
    const since = opts.since ?? 0;
    return waitFor(async () => (await this.events()).slice(since).find((e) => e.event === event), {
      timeoutMs: opts.timeoutMs ?? 30_000,
      what: `the ${event} hook event`,
      intervalMs: 50,
    });
  }

  /** ~/.claude/.credentials.json (what peer-comms pushes to for 'oauth-file'). */
  credentialsPath(): string {
    return join(this.home, '.claude', '.credentials.json');
  }

  /** ~/.claude/projects/<workdir with / and . → ->/ */
  projectDir(): string {
    return join(this.home, '.claude', 'projects', this.workdir.replace(/[^A-Za-z0-9]/g, '-'));
  }

  /** The newest transcript (.jsonl) of the workdir, or null. */
  async transcriptPath(): Promise<string | null> {
    let names: string[];
    try {
      names = (await readdir(this.projectDir())).filter((n) => n.endsWith('.jsonl'));
    } catch {
      return null;
    }
    let best: [number, string] | null = null;
    for (const n of names) {
      const p = join(this.projectDir(), n);
      const m = (await stat(p)).mtimeMs;
      if (!best || m > best[0]) best = [m, p];
    }
    return best ? best[1] : null;
  }

  async transcript(path?: string): Promise<Record<string, unknown>[]> {
    const p = path ?? (await this.transcriptPath());
    if (!p) return [];
    const text = await readFile(p, 'utf8');
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Kills the tmux server (and claude with it) and removes the temp root. Safe to call twice. */
  async cleanup(opts: { keepFiles?: boolean } = {}): Promise<void> {
    const pids = await this.panePids();
    await this.tmux.kill().catch(() => undefined);
    // claude may still be writing its transcript for a moment after the hangup
    for (const pid of pids) signal(pid, 'SIGTERM');
    await waitFor(() => pids.every((pid) => !alive(pid)), { timeoutMs: 5_000, what: 'claude to exit' }).catch(() => {
      for (const pid of pids) signal(pid, 'SIGKILL');
    });
    if (!opts.keepFiles) await rm(this.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }

  /** The pids of the panes' processes (claude itself: the command line execs it). */
  private async panePids(): Promise<number[]> {
    const res = await this.tmux.run(['list-panes', '-a', '-F', '#{pane_pid}']);
    if (res.code !== 0) return [];
    return res.stdout
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** ~/.claude.json that lets Claude Code start without onboarding, key approval or (optionally) trust. */
export async function writeClaudeJson(home: string, workdir: string, apiKey: string, trusted: boolean): Promise<void> {
  const config = {
    hasCompletedOnboarding: true,
    lastOnboardingVersion: claudeCodeVersion(),
    numStartups: 1,
    customApiKeyResponses: { approved: [apiKey.slice(-20)], rejected: [] },
    projects: {
      [workdir]: {
        hasTrustDialogAccepted: trusted,
        hasCompletedProjectOnboarding: true,
        allowedTools: [],
      },
    },
  };
  await writeFile(join(home, '.claude.json'), JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
}
