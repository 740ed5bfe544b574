/**
 * The stand-in agent in a real tmux pane (private socket, 200x50): idle box, bracketed paste
 * with exact bytes, collapsed pastes, the Enter-after-paste window, empty Enter, queueing,
 * Escape, the trust dialog, failing turns as the real agent shows them (401: spinner, generic
 * retry line, 401 line, final error; 429; flags, SIGUSR1 and SIGUSR2), dim placeholders,
 * TABs as 4 spaces, hook commands from --settings, the session transcript, and Ctrl-C. Plus
 * checks of the pure renderer against the real Claude Code captures.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { canonicalSha256, parseTranscriptLine, transcriptDir } from '../../src/receipts/records';
import { pastedPrompt, unwrapPaste } from '../contract/claude-rewrites';
import { commandsFor, readHookSettings } from '../../src/standin/hooks';
import type { StandinConfig } from '../../src/standin/model';
import { StandinModel } from '../../src/standin/model';
import { renderScreen, styleScreen } from '../../src/standin/render';
import type { Classification } from '../../src/tmux/screen';
import { classifyScreen, compilePatterns, defaultRawPatterns } from '../../src/tmux/screen';
import type { StandinFlags } from '../helpers/tmux';
import { TmuxServer, shQuote, standinArgv } from '../helpers/tmux';
import { waitFor } from '../helpers/wait';

const NBSP = '\u00a0';
const RULE = '─'.repeat(200);
const FOOTER = '  ⏵⏵ auto mode on (shift+tab to cycle)';
const BUSY = 'esc to interrupt';
const DONE_LINE = /^✻ \S+ for \d+s · done \d{1,2}:\d{2} (AM|PM)$/m;
/** Bottom of idle.txt (real Claude Code 2.1.328, 200x50). */
const IDLE_BOTTOM = [RULE, `❯${NBSP}`, RULE, FOOTER];
const WAIT = { timeoutMs: 10_000 };

/** The real captures (test/fixtures copies of shared/fixtures/claude-code-2.1.328). */
const FIXTURES = join(__dirname, '..', 'fixtures', 'screens', 'claude-code-2.1.328');

/**
 * The end of a screen that does not depend on how full the history is: the last non-blank
 * line above the input box (the spinner, retry or error line), then the box's 4 lines.
 */
function bottomBlock(screen: readonly string[]): string[] {
  const box = screen.slice(-4);
  const above = screen.slice(0, -4).filter((l) => l.trim() !== '');
  return [above.at(-1) ?? '', ...box];
}

/** A capture's lines, trailing blank lines dropped. */
async function fixtureLines(name: string): Promise<string[]> {
  const l = (await readFile(join(FIXTURES, name), 'utf8')).split('\n');
  while (l.length > 0 && l[l.length - 1] === '') l.pop();
  return l;
}

interface LogEntry {
  t: number;
  b64?: string;
  text?: string;
  prompt?: string;
  dialogInput?: string;
}

let tmux: TmuxServer;
let dir: string;
let seq = 0;

before(async () => {
  tmux = await TmuxServer.start('standin');
  dir = await mkdtemp(join(tmpdir(), 'pc-standin-'));
});

after(async () => {
  await tmux?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Agent {
  name: string;
  logPath: string;
  pidPath: string;
  /** Where its session transcript goes (--transcript-dir). */
  transcriptDir: string;
  screen(): Promise<string>;
  /** `capture-pane -e -p`: the screen with its escape codes. */
  ansiScreen(): Promise<string>;
  log(): Promise<LogEntry[]>;
  pid(): Promise<number>;
  /** The agent's exit status once it has exited, else null. */
  exitStatus(): Promise<number | null>;
}

/** Starts a stand-in; `extra` are flags the test helper does not know (appended to its argv). */
async function startAgent(flags: StandinFlags = {}, extra: readonly string[] = []): Promise<Agent> {
  seq += 1;
  const name = `s${seq}`;
  const logPath = join(dir, `${name}.log`);
  const pidPath = join(dir, `${name}.pid`);
  const exitPath = join(dir, `${name}.exit`);
  const transcriptDir = join(dir, `${name}-transcripts`);
  const argv = [
    ...standinArgv({ log: logPath, pidFile: pidPath, cwdLabel: '/home/user/project', ...flags }),
    '--transcript-dir',
    transcriptDir,
    ...extra,
  ];
  await tmux.newSession(name, `${argv.map(shQuote).join(' ')}; echo $? > ${shQuote(exitPath)}`);
  const agent: Agent = {
    name,
    logPath,
    pidPath,
    transcriptDir,
    screen: () => tmux.capture(name),
    ansiScreen: () => tmux.check(['capture-pane', '-e', '-p', '-t', name]),
    log: async () => {
      const raw = await readFile(logPath, 'utf8').catch(() => '');
      return raw
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as LogEntry);
    },
    pid: async () => Number((await readFile(pidPath, 'utf8')).trim()),
    exitStatus: async () => {
      const raw = await readFile(exitPath, 'utf8').catch(() => '');
      return raw.endsWith('\n') ? Number(raw.trim()) : null;
    },
  };
  const ready = flags.trustDialog ? (s: string) => s.includes(' ❯ No, exit') : isIdle;
  await waitFor(async () => ready(await agent.screen()), { ...WAIT, what: `${name} to start` });
  return agent;
}

/** No placeholder phrases: the classifier must tell placeholders by their dim styling alone. */
const NO_PHRASES = compilePatterns({ ...defaultRawPatterns, placeholders: [] });

function pick(c: Classification): Pick<Classification, 'state' | 'busy' | 'input'> {
  return { state: c.state, busy: c.busy, input: c.input };
}

function lines(screen: string): string[] {
  return screen.replace(/\n$/, '').split('\n');
}

/** The input box's first line, without `❯` + NBSP; null when no box is on screen. */
function inputText(screen: string): string | null {
  const line = lines(screen).find((l) => l.startsWith(`❯${NBSP}`));
  return line === undefined ? null : line.slice(2);
}

function isIdle(screen: string): boolean {
  return inputText(screen) !== null && !screen.includes(BUSY) && lines(screen).at(-1) === FOOTER;
}

async function submitTyped(agent: Agent, text: string): Promise<void> {
  await tmux.sendLiteral(agent.name, text);
  await waitFor(async () => inputText(await agent.screen()) === text, { ...WAIT, what: `"${text}" in the input` });
  await tmux.sendKeys(agent.name, 'C-m');
}

void describe('stand-in agent in tmux', () => {
  void test('idle screen: header, empty input box, footer as in the real capture', async () => {
    const agent = await startAgent();
    const screen = await agent.screen();
    assert.equal(lines(screen).length, 50);
    assert.deepEqual(lines(screen).slice(-4), IDLE_BOTTOM);
    assert.match(screen, / ▐▛███▛█ {3}Claude Code v2\.1\.328 \(stand-in\)/);
    assert.match(screen, /▝▝ {3}▝▝ {3}\/home\/user\/project/);
  });

  void test('bracketed paste, then Enter: works, acknowledges, logs the exact bytes', async () => {
    const agent = await startAgent({ workMs: 1500, collapseLines: 20 }); // shown inline (the real agent collapses 4 lines)
    const text = `first line\r\nsecond\tline ünïcödé € 😀\n$(touch x) \`id\` 'single' "double" \\ end\r\nlast`;
    await tmux.paste(agent.name, text);
    await waitFor(async () => inputText(await agent.screen()) === 'first line', {
      ...WAIT,
      what: 'the paste in the box',
    });
    await sleep(300); // longer than the 150 ms Enter-after-paste window: this Enter is a real one
    await tmux.sendKeys(agent.name, 'C-m');
    const working = await waitFor(async () => ((s) => s.includes(BUSY) && s)(await agent.screen()), {
      ...WAIT,
      what: 'the working marker',
    });
    assert.match(working, /^[✢✳✶✻✽] \S+…$/m);
    assert.equal(inputText(working), '');
    const done = await waitFor(async () => ((s) => DONE_LINE.test(s) && isIdle(s) && s)(await agent.screen()), {
      ...WAIT,
      what: 'the finished turn',
    });
    // every line echoed, TABs as 4 spaces (as paste-with-tabs-inline.txt shows)
    assert.match(
      done,
      /^❯ first line\n {2}second {4}line ünïcödé € 😀\n {2}\$\(touch x\) `id` 'single' "double" \\ end\n {2}last\n\n● Acknowledged\. Working on it\.\n\n✻ /m,
    );
    const log = await agent.log();
    assert.equal(log.length, 1);
    assert.deepEqual(Buffer.from(log[0]!.b64!, 'base64'), Buffer.from(text, 'utf8'));
    assert.equal(log[0]!.text, text);
  });

  void test('a long paste is shown collapsed and still submitted byte-exact', async () => {
    const agent = await startAgent({ workMs: 300 });
    const text = Array.from({ length: 30 }, (_, i) => `line ${i + 1}\t'x'`).join('\n');
    await tmux.paste(agent.name, text);
    const screen = await waitFor(
      async () => ((s) => inputText(s) === '[Pasted text #1 +29 lines]' && s)(await agent.screen()),
      { ...WAIT, what: 'the collapsed paste' },
    );
    assert.equal(lines(screen).at(-1), '  paste again to expand');
    await sleep(300);
    await tmux.sendKeys(agent.name, 'C-m');
    await waitFor(async () => ((s) => DONE_LINE.test(s) && isIdle(s))(await agent.screen()), { ...WAIT, what: 'done' });
    assert.match(await agent.screen(), /^❯ \[Pasted text #1 \+29 lines\]$/m);
    const log = await agent.log();
    assert.equal(log.length, 1);
    assert.equal(Buffer.from(log[0]!.b64!, 'base64').toString('utf8'), text);
  });

  void test('with --paste-enter-window-ms, an Enter right after a paste is swallowed; a later Enter submits', async () => {
    // the real Claude Code 2.1.328 swallows none (FINDINGS.md §4); the window models an agent that
    // would, for the send's recovery (press C-m again once the text provably sits in the box)
    const agent = await startAgent({ workMs: 300, pasteEnterWindowMs: 150 });
    await tmux.paste(agent.name, 'quick text', ['send-keys', '-t', agent.name, 'C-m']);
    await waitFor(async () => inputText(await agent.screen()) === 'quick text', { ...WAIT, what: 'the paste' });
    await sleep(400); // the point of this test: nothing happens after the window has passed
    const screen = await agent.screen();
    assert.equal(inputText(screen), 'quick text');
    assert.ok(!screen.includes(BUSY));
    assert.deepEqual(await agent.log(), []);
    await tmux.sendKeys(agent.name, 'C-m');
    const log = await waitFor(async () => ((l) => l.length > 0 && l)(await agent.log()), {
      ...WAIT,
      what: 'a log line',
    });
    assert.equal(log[0]!.text, 'quick text');
  });

  void test('Enter on an empty input does nothing', async () => {
    const agent = await startAgent({ workMs: 300 });
    await tmux.sendKeys(agent.name, 'C-m');
    await submitTyped(agent, 'after empty');
    const log = await waitFor(async () => ((l) => l.length > 0 && l)(await agent.log()), {
      ...WAIT,
      what: 'a log line',
    });
    assert.deepEqual(
      log.map((e) => e.text),
      ['after empty'],
    );
    assert.ok(!lines(await agent.screen()).some((l) => l === '❯' || l === '❯ '), 'no empty prompt in the history');
  });

  void test('a prompt sent while working is queued, then taken as the next turn', async () => {
    const agent = await startAgent({ workMs: 2000 });
    await submitTyped(agent, 'first task');
    await waitFor(async () => (await agent.screen()).includes(BUSY), { ...WAIT, what: 'working' });
    await submitTyped(agent, 'second task');
    const queued = await waitFor(async () => ((s) => s.includes('Queued') && s)(await agent.screen()), {
      ...WAIT,
      what: 'the queued message',
    });
    assert.match(queued, /^❯ second task\n {2}⎿ {2}Queued · ctrl\+x ctrl\+s to send now$/m);
    assert.equal(inputText(queued), 'Press up to edit queued messages');
    assert.ok(queued.includes(BUSY));
    assert.equal((await agent.log()).length, 1);
    const log = await waitFor(async () => ((l) => l.length === 2 && l)(await agent.log()), {
      ...WAIT,
      what: 'the queued turn to start',
    });
    assert.equal(log[1]!.text, 'second task');
    assert.ok(log[1]!.t - log[0]!.t >= 1900, 'the second turn starts when the first ends');
    const done = await waitFor(
      async () => ((s) => isIdle(s) && (s.match(/^✻ .* · done /gm) ?? []).length === 2 && s)(await agent.screen()),
      { ...WAIT, what: 'both turns done' },
    );
    assert.ok(!done.includes('Queued'));
    assert.equal(inputText(done), '');
  });

  void test('Escape interrupts the turn', async () => {
    const agent = await startAgent({ workMs: 20_000 });
    await submitTyped(agent, 'long task');
    await waitFor(async () => (await agent.screen()).includes(BUSY), { ...WAIT, what: 'working' });
    await tmux.sendKeys(agent.name, 'Escape');
    const screen = await waitFor(async () => ((s) => isIdle(s) && s)(await agent.screen()), { ...WAIT, what: 'idle' });
    assert.match(screen, /^❯ long task\n {2}⎿ {2}Interrupted by user$/m);
    assert.ok(!screen.includes('Acknowledged'));
  });

  void test('trust dialog: typed text is ignored, Enter on "No, exit" exits with status 1', async () => {
    const agent = await startAgent({ trustDialog: true });
    const screen = await agent.screen();
    assert.equal(inputText(screen), null, 'no input box under the dialog');
    assert.match(screen, /^ Accessing workspace:$/m);
    assert.match(screen, /^ {3}Yes, I trust this folder$/m);
    await tmux.sendLiteral(agent.name, 'hello dialog');
    const log = await waitFor(async () => ((l) => l.length > 0 && l)(await agent.log()), {
      ...WAIT,
      what: 'dialogInput',
    });
    assert.equal(log[0]!.dialogInput, 'hello dialog');
    assert.equal(log[0]!.text, undefined);
    assert.ok((await agent.screen()).includes(' ❯ No, exit'));
    await tmux.sendKeys(agent.name, 'C-m');
    const status = await waitFor(async () => ((c) => c !== null && { c })(await agent.exitStatus()), {
      ...WAIT,
      what: 'the agent to exit',
    });
    assert.equal(status.c, 1);
  });

  void test('trust dialog: Down, Enter trusts the folder and shows the input box', async () => {
    const agent = await startAgent({ trustDialog: true });
    await tmux.sendKeys(agent.name, 'Down');
    await waitFor(async () => (await agent.screen()).includes(' ❯ Yes, I trust this folder'), { ...WAIT, what: 'Yes' });
    await tmux.sendKeys(agent.name, 'C-m');
    await waitFor(async () => isIdle(await agent.screen()), { ...WAIT, what: 'the main screen' });
  });

  void test('--auth-fail: an ordinary spinner, then API error · retrying, then the 401 line, then "Please run /login", as the captures show', async () => {
    const agent = await startAgent({ authFail: true, authRetries: 2, authRetryMs: 1500 }, [
      '--fail-spinner-ms',
      '1500',
      '--fail-status-ms',
      '3000',
    ]);
    await submitTyped(agent, 'will fail');
    // the first frames cannot be told from a healthy turn (401-first-100ms-plain-spinner.txt)
    const first = await waitFor(async () => ((s) => s.includes(BUSY) && s)(await agent.screen()), {
      ...WAIT,
      what: 'the ordinary spinner',
    });
    assert.match(first, /^[✢✳✶✻✽] \S+…$/m);
    assert.doesNotMatch(first, /API error|401/);
    assert.equal(classifyScreen(first).state, 'working');
    // then the generic retry line, attempt 1 or 2 (401-attempt1-generic-api-error-retrying.txt)
    const generic = await waitFor(async () => ((s) => s.includes('API error · retrying') && s)(await agent.screen()), {
      ...WAIT,
      what: 'the generic retry line',
    });
    const attempt1 = (l: readonly string[]): string[] => l.map((x) => x.replace(/attempt [12]\/10$/, 'attempt 1/10'));
    assert.deepEqual(
      attempt1(lines(generic).slice(-7)),
      (await fixtureLines('401-attempt1-generic-api-error-retrying.txt')).slice(-7),
    );
    assert.deepEqual(pick(classifyScreen(generic)), { state: 'error:api', busy: true, input: '' });
    // then the 401 line (401-retrying.txt)
    const retrying = await waitFor(async () => ((s) => s.includes('attempt 3/10') && s)(await agent.screen()), {
      ...WAIT,
      what: 'the 401 retry line',
    });
    assert.deepEqual(lines(retrying).slice(-7), (await fixtureLines('401-retrying.txt')).slice(-7));
    assert.deepEqual(pick(classifyScreen(retrying)), { state: 'error:oauth', busy: true, input: '' });
    // then the final error and the dim placeholder (401-final.txt, 401-final.ansi.txt)
    const final = await waitFor(async () => ((s) => s.includes('Please run /login') && s)(await agent.screen()), {
      ...WAIT,
      what: 'the final 401',
    });
    assert.deepEqual(bottomBlock(lines(final)), bottomBlock(await fixtureLines('401-final.txt')));
    assert.ok(isIdle(final));
    const ansi = await agent.ansiScreen();
    assert.ok(ansi.includes(`❯${NBSP}\x1b[7mO`), "the cursor on the placeholder's first letter");
    // read by its styling alone: no placeholder phrases known
    assert.deepEqual(pick(classifyScreen(ansi, NO_PHRASES)), { state: 'error:oauth', busy: false, input: '' });
    assert.equal((await agent.log()).length, 1);
  });

  void test('--auth-retries 0: the OAuth timeline, generic retry lines then the final 401, never the 401 retry line', async () => {
    const agent = await startAgent({ authFail: true, authRetries: 0 }, [
      '--fail-spinner-ms',
      '100',
      '--fail-status-ms',
      '1500',
    ]);
    await submitTyped(agent, 'oauth 401');
    const seen = new Set<string>();
    let retryLine401 = false;
    await waitFor(
      async () => {
        const s = await agent.screen();
        seen.add(classifyScreen(s).state);
        if (/^✻ 401 /m.test(s)) retryLine401 = true;
        return s.includes('Please run /login') && isIdle(s);
      },
      { ...WAIT, what: 'the final 401' },
    );
    assert.equal(retryLine401, false, 'no 401 retry line with the OAuth timeline');
    assert.ok(seen.has('error:api') && seen.has('error:oauth'), [...seen].join(', '));
  });

  void test('--rate-limit, then SIGUSR2: a 429 is not retried, ends as in 429-rate-limit-final.txt, and its placeholder does not hold up the next text', async () => {
    const agent = await startAgent({ workMs: 300 }, ['--rate-limit', '--rate-limit-ms', '300']);
    await submitTyped(agent, 'manual message while the API answers 429');
    const final = await waitFor(
      async () => ((s) => s.includes('Request rejected (429)') && isIdle(s) && s)(await agent.screen()),
      { ...WAIT, what: 'the 429' },
    );
    assert.doesNotMatch(final, /retrying/);
    assert.deepEqual(bottomBlock(lines(final)), bottomBlock(await fixtureLines('429-rate-limit-final.txt')));
    assert.deepEqual(pick(classifyScreen(await agent.ansiScreen(), NO_PHRASES)), {
      state: 'error:rate_limit',
      busy: false,
      input: '',
    });
    process.kill(await agent.pid(), 'SIGUSR2'); // the API answers again
    await submitTyped(agent, 'after the 429');
    await waitFor(async () => ((s) => DONE_LINE.test(s) && isIdle(s))(await agent.screen()), { ...WAIT, what: 'done' });
    assert.deepEqual(
      (await agent.log()).map((e) => e.text),
      ['manual message while the API answers 429', 'after the 429'],
    );
    process.kill(await agent.pid(), 'SIGUSR2'); // and refuses again
    await submitTyped(agent, 'refused again');
    await waitFor(
      async () => ((s) => (s.match(/Request rejected \(429\)/g) ?? []).length === 2 && isIdle(s))(await agent.screen()),
      { ...WAIT, what: 'the second 429' },
    );
  });

  void test('--usage-limit: an OAuth usage limit refuses the turn, then the agent continues by itself at the reset (FINDINGS.md §1b)', async () => {
    const events = join(dir, 'usage-events.jsonl');
    const settings = join(dir, 'usage-settings.json');
    const hook = [{ hooks: [{ type: 'command', command: `cat >> ${shQuote(events)}` }] }];
    await writeFile(settings, JSON.stringify({ hooks: { UserPromptSubmit: hook, Stop: hook, StopFailure: hook } }));
    const agent = await startAgent({ workMs: 300, settings }, ['--usage-limit', '2000', '--rate-limit-ms', '200']);
    await submitTyped(agent, 'oauth rate limited');
    const waiting = await waitFor(
      async () => ((s) => s.includes('Usage limit reached · continuing automatically') && s)(await agent.screen()),
      { ...WAIT, what: 'the usage limit' },
    );
    // laid out as contract-oauth-429-usage-limit-auto-continue.txt
    assert.match(
      waiting,
      /^❯ oauth rate limited\n {2}⎿ {2}You've hit your 5-hour limit · resets \d{1,2}:\d\d[ap]m \(.+\)\n\n● Usage limit reached · continuing automatically at \d{1,2}:\d\d[ap]m · esc to cancel$/m,
    );
    assert.match(lines(waiting).at(-3) ?? '', /^ {2}⚠ Usage limit reached · limit resets \d{1,2}:\d\d[ap]m$/);
    assert.match(lines(waiting).at(-2) ?? '', /^ {4}Continuing automatically at \d{1,2}:\d\d[ap]m · Esc to cancel$/);
    assert.deepEqual(pick(classifyScreen(waiting)), { state: 'error:usage_limit', busy: false, input: '' });
    const real = await readFile(join(FIXTURES, 'contract-oauth-429-usage-limit-auto-continue.txt'), 'utf8');
    assert.deepEqual(pick(classifyScreen(real)), pick(classifyScreen(waiting)));

    const inputs = async (): Promise<Record<string, unknown>[]> =>
      (await readFile(events, 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const all = await waitFor(async () => ((e) => e.length >= 4 && e)(await inputs()), {
      ...WAIT,
      what: 'the continuation turn',
    });
    assert.deepEqual(
      all.map((e) => [e.hook_event_name, e.error ?? null]),
      [
        ['UserPromptSubmit', null],
        ['StopFailure', 'rate_limit'],
        ['UserPromptSubmit', null],
        ['Stop', null],
      ],
    );
    assert.match(String(all[1]!.last_assistant_message), /^You've hit your 5-hour limit · resets /);
    assert.match(String(all[2]!.prompt), /^Your claude\.ai usage limit has reset\. Continue the task/);
    const done = await waitFor(async () => ((s) => DONE_LINE.test(s) && isIdle(s) && s)(await agent.screen()), {
      ...WAIT,
      what: 'the continuation done',
    });
    assert.match(done, /^● Usage limit reset · Continuing automatically$/m);
    assert.equal(classifyScreen(done).state, 'idle');
    assert.equal((await agent.log()).length, 1, 'the text was sent once');
    const transcriptFile = join(agent.transcriptDir, `${String(all[0]!.session_id)}.jsonl`);
    const transcript = await waitFor(
      async () =>
        ((t) => t.some((e) => e.subtype === 'turn_duration') && t)(
          (await readFile(transcriptFile, 'utf8'))
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        ),
      { ...WAIT, what: 'the transcript (it lags the hooks)' },
    );
    const refusal = transcript.find((e) => e.isApiErrorMessage === true)!;
    assert.equal(refusal.error, 'rate_limit');
    assert.equal(refusal.apiError, 'usage_limit_reached');
    assert.equal(
      typeof (refusal.apiErrorParams as { rate_limit_info: { resetsAt: unknown } }).rate_limit_info.resetsAt,
      'number',
    );
    assert.deepEqual(
      transcript.map((e) => parseTranscriptLine(JSON.stringify(e))?.kind ?? null),
      ['prompt', 'turn-error', null, null, null, null, 'turn-end'],
    );
  });

  void test('text typed while the agent works drops esc to interrupt from the footer (working-with-typed-input.txt)', async () => {
    const agent = await startAgent({ workMs: 30_000 });
    await submitTyped(agent, 'busy test first message A2');
    await waitFor(async () => (await agent.screen()).includes(BUSY), { ...WAIT, what: 'working' });
    await tmux.sendLiteral(agent.name, 'third message C, queued behind A2');
    const screen = await waitFor(
      async () => ((s) => inputText(s) === 'third message C, queued behind A2' && s)(await agent.screen()),
      { ...WAIT, what: 'the typed text' },
    );
    assert.deepEqual(lines(screen).slice(-4), (await fixtureLines('working-with-typed-input.txt')).slice(-4));
    assert.match(lines(screen).at(-7) ?? '', /^[✢✳✶✻✽] \S+…$/);
    for (const capture of [screen, await agent.ansiScreen()]) {
      assert.deepEqual(pick(classifyScreen(capture)), {
        state: 'working',
        busy: true,
        input: 'third message C, queued behind A2',
      });
    }
  });

  void test('--settings hooks get SessionStart, UserPromptSubmit, Stop and StopFailure on stdin as in FINDINGS.md, the transcript the same turns', async () => {
    const events = join(dir, 'hook-events.jsonl');
    const resumed = join(dir, 'hook-resumed.jsonl');
    const record = (file: string): string => `cat >> ${shQuote(file)}`;
    const settings = join(dir, 'settings.json');
    await writeFile(
      settings,
      JSON.stringify({
        hooks: {
          SessionStart: [
            { matcher: 'startup', hooks: [{ type: 'command', command: record(events), timeout: 5 }] },
            { matcher: 'resume', hooks: [{ type: 'command', command: record(resumed), timeout: 5 }] },
          ],
          UserPromptSubmit: [
            // a hook that hangs is killed after its timeout; the UI and the later hooks go on
            { hooks: [{ type: 'command', command: 'sleep 30', timeout: 1 }] },
            { hooks: [{ type: 'command', command: record(events) }] },
            // what a UserPromptSubmit hook prints reaches the model: the transcript shows it
            { hooks: [{ type: 'command', command: 'echo HOOK-STDOUT-MARKER-7731' }] },
          ],
          Stop: [{ hooks: [{ type: 'command', command: record(events) }] }],
          StopFailure: [
            { matcher: 'authentication_failed|rate_limit', hooks: [{ type: 'command', command: record(events) }] },
          ],
        },
      }),
    );
    const sid = '0b6f3c52-5d2e-4a47-9b1e-2f8e1c9d7a10';
    const agent = await startAgent({ workMs: 300, pasteEnterWindowMs: 0, authRetries: 0, settings }, [
      '--session-id',
      sid,
      '--fail-spinner-ms',
      '50',
      '--fail-status-ms',
      '100',
    ]);
    const inputs = async (file: string): Promise<Record<string, unknown>[]> =>
      (await readFile(file, 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const transcriptPath = join(agent.transcriptDir, `${sid}.jsonl`);
    const session = { session_id: sid, transcript_path: transcriptPath, cwd: process.cwd() };

    const [start] = await waitFor(async () => ((e) => e.length >= 1 && e)(await inputs(events)), {
      ...WAIT,
      what: 'SessionStart',
    });
    assert.deepEqual(start, {
      ...session,
      hook_event_name: 'SessionStart',
      source: 'startup',
      model: 'claude-opus-5-5',
    });
    assert.ok((await readFile(events, 'utf8')).endsWith('}\n'), 'one line of JSON and a line break per event');

    // a paste of 3 lines with TABs and CRLFs is inserted as text (paste-with-tabs-inline.txt)
    const text = 'col1\tcol2\tC-m\t-x\r\n\tindented line with ü and ;\r\nlast line ends with;';
    await tmux.paste(agent.name, text);
    await waitFor(async () => inputText(await agent.screen()) === 'col1    col2    C-m    -x', {
      ...WAIT,
      what: 'the paste, TABs as 4 spaces',
    });
    await tmux.sendKeys(agent.name, 'C-m');
    const done = await waitFor(async () => ((s) => DONE_LINE.test(s) && isIdle(s) && s)(await agent.screen()), {
      ...WAIT,
      what: 'the finished turn',
    });
    const real = await fixtureLines('paste-with-tabs-inline.txt');
    const from = real.findIndex((l) => l.startsWith('❯ col1'));
    const echo = real.slice(from, from + 3).join('\n');
    assert.ok(lines(done).join('\n').includes(echo), `the echo as the real agent shows it:\n${echo}`);

    const afterOk = await waitFor(async () => ((e) => e.length >= 3 && e)(await inputs(events)), {
      ...WAIT,
      what: 'UserPromptSubmit and Stop',
    });
    const submit = afterOk[1]!;
    const prompt = 'col1    col2    C-m    -x\n    indented line with ü and ;\nlast line ends with;';
    const promptId = String(submit.prompt_id);
    assert.match(promptId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(Object.entries(submit), [
      ['session_id', sid],
      ['transcript_path', transcriptPath],
      ['cwd', process.cwd()],
      ['prompt_id', promptId],
      ['permission_mode', 'auto'],
      ['hook_event_name', 'UserPromptSubmit'],
      ['prompt', prompt],
    ]);
    assert.equal(canonicalSha256(prompt).sha256, canonicalSha256(text).sha256, 'the receipt matches the sent text');
    assert.deepEqual(Object.entries(afterOk[2]!), [
      ['session_id', sid],
      ['transcript_path', transcriptPath],
      ['cwd', process.cwd()],
      ['prompt_id', promptId],
      ['permission_mode', 'auto'],
      ['effort', { level: 'medium' }],
      ['hook_event_name', 'Stop'],
      ['stop_hook_active', false],
      ['last_assistant_message', 'Acknowledged. Working on it.'],
      ['background_tasks', []],
      ['session_crons', []],
    ]);
    const log = await agent.log();
    assert.equal(Buffer.from(log[0]!.b64!, 'base64').toString('utf8'), text, 'the log keeps the bytes as sent');
    assert.equal(log[0]!.prompt, prompt);

    // a collapsed paste arrives wrapped, with the session's paste id (FINDINGS.md §2)
    const rows = 'row 1\nrow 2\nrow 3\nrow 4\n';
    await tmux.paste(agent.name, rows);
    await waitFor(async () => inputText(await agent.screen()) === '[Pasted text #2 +4 lines]', {
      ...WAIT,
      what: 'the collapsed paste',
    });
    await tmux.sendKeys(agent.name, 'C-m');
    const wrapped = await waitFor(async () => ((e) => e.length >= 5 && e)(await inputs(events)), {
      ...WAIT,
      what: 'the second turn',
    });
    const pasted = String(wrapped[3]!.prompt);
    const id = unwrapPaste(pasted)?.id ?? '';
    assert.match(id, /^[0-9a-f]{4}$/);
    assert.equal(pasted, pastedPrompt(rows, id));
    assert.equal(canonicalSha256(pasted).sha256, canonicalSha256(rows).sha256);

    // a turn that ends in a 401
    process.kill(await agent.pid(), 'SIGUSR1');
    await submitTyped(agent, 'this turn gets 401s');
    const all = await waitFor(async () => ((e) => e.length >= 7 && e)(await inputs(events)), {
      ...WAIT,
      what: 'UserPromptSubmit and StopFailure',
    });
    assert.deepEqual(
      all.map((e) => e.hook_event_name),
      ['SessionStart', 'UserPromptSubmit', 'Stop', 'UserPromptSubmit', 'Stop', 'UserPromptSubmit', 'StopFailure'],
    );
    assert.equal(all[5]!.prompt, 'this turn gets 401s');
    assert.deepEqual(Object.entries(all[6]!), [
      ['session_id', sid],
      ['transcript_path', transcriptPath],
      ['cwd', process.cwd()],
      ['prompt_id', all[5]!.prompt_id],
      ['effort', { level: 'medium' }],
      ['hook_event_name', 'StopFailure'],
      ['error', 'authentication_failed'],
      [
        'last_assistant_message',
        'Please run /login · API Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.',
      ],
    ]);

    // the transcript holds the same turns, in the form src/receipts reads
    // the transcript lags the hooks (FINDINGS.md §3): wait for its last entry
    const entries = await waitFor(
      async () =>
        ((e) => e.some((x) => x.type === 'attachment') && e.some((x) => x.isApiErrorMessage === true) && e)(
          await inputs(transcriptPath),
        ),
      { ...WAIT, what: 'the hook output and the 401 in the transcript' },
    );
    const turns = entries.filter((e) => e.type !== 'attachment');
    assert.deepEqual(
      turns.map((e) => [e.type, e.subtype ?? e.isApiErrorMessage ?? null]),
      [
        ['user', null],
        ['assistant', null],
        ['system', 'turn_duration'],
        ['user', null],
        ['assistant', null],
        ['system', 'turn_duration'],
        ['user', null],
        ['assistant', true],
      ],
    );
    assert.deepEqual(turns[0]!.message, { role: 'user', content: prompt });
    assert.equal(turns[0]!.promptId, promptId);
    assert.equal(turns[0]!.promptSource, 'typed');
    assert.equal(turns[0]!.sessionId, sid);
    assert.equal(turns[7]!.error, 'authentication_failed');
    assert.equal(turns[7]!.apiErrorStatus, 401);
    assert.equal(typeof turns[2]!.durationMs, 'number');
    assert.deepEqual(
      turns.map((e) => parseTranscriptLine(JSON.stringify(e))?.kind ?? null),
      ['prompt', null, 'turn-end', 'prompt', null, 'turn-end', 'prompt', 'turn-error'],
    );
    const receipt = parseTranscriptLine(JSON.stringify(turns[3]));
    assert.equal(receipt?.kind === 'prompt' && receipt.sha256, canonicalSha256(rows).sha256);
    const attachment = entries.find((e) => e.type === 'attachment')!.attachment as Record<string, unknown>;
    assert.equal(attachment.content, 'HOOK-STDOUT-MARKER-7731');

    // --continue: the next agent goes on with this session (SessionStart source "resume"), its
    // history back on screen, the old 401 as the latest turn (contract-continue-after-errors.txt)
    await tmux.sendKeys(agent.name, 'C-c', 'C-c');
    await waitFor(async () => (await agent.exitStatus()) !== null, { ...WAIT, what: 'the first agent to exit' });
    const next = await startAgent({ workMs: 300, settings }, ['--transcript-dir', agent.transcriptDir, '--continue']);
    const [resume] = await waitFor(async () => ((e) => e.length >= 1 && e)(await inputs(resumed)), {
      ...WAIT,
      what: 'SessionStart (resume)',
    });
    assert.deepEqual(
      { ...resume, seconds_since_last_response: typeof resume!.seconds_since_last_response },
      {
        ...session,
        hook_event_name: 'SessionStart',
        source: 'resume',
        seconds_since_last_response: 'number',
        context_tokens: 0,
        prompt_cache_likely_expired: false,
        estimated_cache_write_usd: 0,
      },
    );
    const restored = await next.screen();
    assert.match(restored, /^❯ this turn gets 401s\n\n● Please run \/login · API Error: 401 /m);
    assert.match(restored, /^❯ \[Pasted text #1 \+3 lines\]$/m);
    assert.deepEqual(pick(classifyScreen(restored)), { state: 'error:oauth', busy: false, input: '' });
    await submitTyped(next, 'after the restart');
    await waitFor(async () => (await readFile(transcriptPath, 'utf8')).includes('"content":"after the restart"'), {
      ...WAIT,
      what: 'the new prompt in the same transcript',
    });
  });

  void test('a prompt queued while a turn runs: UserPromptSubmit at once under the running prompt id, its own id from Stop on (FINDINGS.md §1c)', async () => {
    const events = join(dir, 'queued-events.jsonl');
    const settings = join(dir, 'queued-settings.json');
    const hook = [{ hooks: [{ type: 'command', command: `cat >> ${shQuote(events)}` }] }];
    await writeFile(settings, JSON.stringify({ hooks: { UserPromptSubmit: hook, Stop: hook } }));
    const agent = await startAgent({ workMs: 3000, settings });
    await submitTyped(agent, 'A');
    await waitFor(async () => (await agent.screen()).includes(BUSY), { ...WAIT, what: 'working' });
    await submitTyped(agent, 'queued B');
    const inputs = async (): Promise<Record<string, unknown>[]> =>
      (await readFile(events, 'utf8').catch(() => ''))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const queued = await waitFor(async () => ((e) => e.length >= 2 && e)(await inputs()), {
      ...WAIT,
      what: "B's hook",
    });
    assert.deepEqual(
      queued.map((e) => [e.hook_event_name, e.prompt]),
      [
        ['UserPromptSubmit', 'A'],
        ['UserPromptSubmit', 'queued B'],
      ],
    );
    assert.equal(queued[1]!.prompt_id, queued[0]!.prompt_id, "B is reported under A's prompt id");
    const all = await waitFor(async () => ((e) => e.length >= 4 && e)(await inputs()), {
      ...WAIT,
      timeoutMs: 15_000,
      what: 'both Stops',
    });
    assert.deepEqual(
      all.map((e) => e.hook_event_name),
      ['UserPromptSubmit', 'UserPromptSubmit', 'Stop', 'Stop'],
    );
    assert.equal(all[2]!.prompt_id, queued[0]!.prompt_id);
    assert.notEqual(all[3]!.prompt_id, queued[0]!.prompt_id, "B's turn has its own prompt id");
    const transcriptFile = join(agent.transcriptDir, `${String(all[0]!.session_id)}.jsonl`);
    const transcript = await waitFor(
      async () =>
        ((t) => t.length >= 8 && t)(
          (await readFile(transcriptFile, 'utf8'))
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        ),
      { ...WAIT, what: 'the transcript (it lags the hooks)' },
    );
    assert.deepEqual(
      transcript.map((e) => e.operation ?? e.promptSource ?? e.subtype ?? e.type),
      ['typed', 'enqueue', 'assistant', 'turn_duration', 'dequeue', 'queued', 'assistant', 'turn_duration'],
    );
    assert.equal(transcript[5]!.promptId, all[3]!.prompt_id);
  });

  void test('without --transcript-dir the transcript goes below $CLAUDE_CONFIG_DIR/projects/<cwd>, as where peer-comms looks', async () => {
    const configDir = join(dir, 'claude-config');
    const cwd = join(dir, 'work dir.x');
    await mkdir(cwd, { recursive: true });
    const command = standinArgv({ log: join(dir, 'cfg.log'), workMs: 200, cwdLabel: '/home/user/project' });
    await tmux.newSession('cfgdir', command.map(shQuote).join(' '), { cwd, env: { CLAUDE_CONFIG_DIR: configDir } });
    await waitFor(async () => isIdle(await tmux.capture('cfgdir')), { ...WAIT, what: 'the agent' });
    await tmux.sendLiteral('cfgdir', 'where does this go');
    await waitFor(async () => inputText(await tmux.capture('cfgdir')) === 'where does this go', {
      ...WAIT,
      what: 'the text',
    });
    await tmux.sendKeys('cfgdir', 'C-m');
    const folder = transcriptDir(configDir, cwd);
    const files = await waitFor(async () => ((f) => f.length === 1 && f)(await readdir(folder).catch(() => [])), {
      ...WAIT,
      what: `a transcript in ${folder}`,
    });
    assert.match(files[0]!, /^[0-9a-f-]{36}\.jsonl$/);
    await waitFor(
      async () => (await readFile(join(folder, files[0]!), 'utf8')).includes('"content":"where does this go"'),
      {
        ...WAIT,
        what: 'the prompt in it',
      },
    );
  });

  void test('SIGUSR1 toggles auth-fail mode at runtime', async () => {
    const agent = await startAgent({ authRetries: 1, authRetryMs: 200, workMs: 300 });
    process.kill(await agent.pid(), 'SIGUSR1');
    await submitTyped(agent, 'fails');
    await waitFor(async () => (await agent.screen()).includes('Please run /login'), { ...WAIT, what: 'the 401' });
    process.kill(await agent.pid(), 'SIGUSR1');
    await submitTyped(agent, 'works again');
    await waitFor(async () => ((s) => DONE_LINE.test(s) && isIdle(s))(await agent.screen()), { ...WAIT, what: 'done' });
  });

  void test('Ctrl-C twice exits', async () => {
    const agent = await startAgent();
    await tmux.sendKeys(agent.name, 'C-c');
    await waitFor(async () => (await agent.screen()).includes('Press Ctrl-C again to exit'), { ...WAIT, what: 'hint' });
    await tmux.sendKeys(agent.name, 'C-c');
    const status = await waitFor(async () => ((c) => c !== null && { c })(await agent.exitStatus()), {
      ...WAIT,
      what: 'exit',
    });
    assert.equal(status.c, 0);
  });
});

void describe('stand-in renderer (no tmux)', () => {
  const cfg: StandinConfig = {
    collapseLines: 20,
    pasteEnterWindowMs: 150,
    workMs: 1000,
    trustDialog: false,
    authFail: false,
    rateLimit: false,
    failSpinnerMs: 150,
    failStatusMs: 1800,
    authRetries: 3,
    authRetryMs: 300,
    cwdLabel: '/home/user/new-project',
  };

  void test('the trust dialog matches the real capture line for line', () => {
    const model = new StandinModel({ ...cfg, trustDialog: true });
    const screen = renderScreen(model.view(0), 200, 50, 0);
    const expected = [
      '',
      RULE,
      ' Accessing workspace:',
      '',
      ' /home/user/new-project',
      '',
      " Quick safety check: Is this a project you created or one you trust? (Like your own code, a well-known open source project, or work from your team). If not, take a moment to review what's in this",
      ' folder first.',
      '',
      " Claude Code'll be able to read, edit, and execute files here.",
      '',
      ' Security guide',
      '',
      ' ❯ No, exit',
      '   Yes, I trust this folder',
      '',
      ' Enter to confirm · Esc to cancel',
    ];
    assert.deepEqual(screen, [...expected, ...Array.from({ length: 50 - expected.length }, () => '')]);
  });

  void test('working: spinner block, busy footer; keeps to the size asked for', () => {
    const model = new StandinModel(cfg, () => 0.45);
    model.handleKey({ kind: 'text', bytes: 'do it' }, 0);
    model.handleKey({ kind: 'enter' }, 1000);
    const screen = renderScreen(model.view(1100), 200, 50, 1100);
    assert.equal(screen.length, 50);
    assert.deepEqual(screen.slice(-7), [
      '✢ Booping…',
      `  ⎿ ${NBSP}Tip: Send a message mid-task to steer Claude`,
      '',
      RULE,
      `❯${NBSP}`,
      RULE,
      `${FOOTER} · esc to interrupt`,
    ]);
    const small = renderScreen(model.view(1100), 40, 10, 1100);
    assert.equal(small.length, 10);
    assert.ok(small.every((l) => [...l].length <= 40));
  });

  void test('a failing turn, frame by frame, is drawn as the real captures show it (401, then 429)', async () => {
    const at = (model: StandinModel, t: number): string[] => renderScreen(model.view(t), 200, 50, t);
    const model = new StandinModel({ ...cfg, authFail: true }, () => 0.45);
    model.handleKey({ kind: 'text', bytes: 'will fail' }, 0);
    const started = model.handleKey({ kind: 'enter' }, 1000);
    assert.deepEqual(
      started.map((e) => e.kind),
      ['log', 'prompt'],
    );
    // 100 ms in: an ordinary spinner and esc to interrupt
    const first = at(model, 1100);
    assert.equal(first.at(-7), '✢ Booping…');
    assert.equal(first.at(-1), `${FOOTER} · esc to interrupt`);
    // from 150 ms: the generic retry line; from 1.8 s: the 401 line, attempt 3
    assert.deepEqual(
      at(model, 1500).slice(-7),
      (await fixtureLines('401-attempt1-generic-api-error-retrying.txt')).slice(-7),
    );
    assert.deepEqual(at(model, 2900).slice(-7), (await fixtureLines('401-retrying.txt')).slice(-7));
    // the final error after the retries (1.8 s + 3 × 300 ms)
    assert.deepEqual(model.advance(3699), []);
    const ended = model.advance(3700);
    assert.deepEqual(ended, [
      {
        kind: 'turn-end',
        at: 3700,
        startedAt: 1000,
        outcome: {
          ok: false,
          error: 'authentication_failed',
          message:
            'Please run /login · API Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.',
        },
      },
    ]);
    const final = at(model, 3700);
    assert.deepEqual(bottomBlock(final), bottomBlock(await fixtureLines('401-final.txt')));
    // styled as in 401-final.ansi.txt: the cursor on the first letter, the rest dim
    const styled = styleScreen(final, model.view(3700));
    assert.equal(styled.at(-3), `❯${NBSP}\x1b[7mO\x1b[0;2mnce fixed, resend your message\x1b[0m`);
    const real = await readFile(join(FIXTURES, '401-final.ansi.txt'), 'utf8');
    assert.deepEqual(pick(classifyScreen(styled.join('\n'), NO_PHRASES)), pick(classifyScreen(real, NO_PHRASES)));
    assert.deepEqual(pick(classifyScreen(real, NO_PHRASES)), { state: 'error:oauth', busy: false, input: '' });

    // the next turn gets a 429
    model.toggleAuthFail();
    model.toggleRateLimit();
    model.handleKey({ kind: 'text', bytes: 'manual message while the API answers 429' }, 4000);
    model.handleKey({ kind: 'enter' }, 4000);
    // a 429 is not retried: an ordinary spinner, then the error (FINDINGS.md §1)
    assert.match(at(model, 4200).at(-7) ?? '', /^[✢✳✶✻✽] \S+…$/);
    assert.doesNotMatch(at(model, 4200).join('\n'), /retrying/);
    assert.deepEqual(model.advance(4399), []);
    const rateLimited = model.advance(4400);
    assert.equal(
      rateLimited[0]?.kind === 'turn-end' && !rateLimited[0].outcome.ok && rateLimited[0].outcome.error,
      'rate_limit',
    );
    const screen429 = at(model, 4400);
    assert.deepEqual(bottomBlock(screen429), bottomBlock(await fixtureLines('429-rate-limit-final.txt')));
    const real429 = await readFile(join(FIXTURES, '429-rate-limit-final.ansi.txt'), 'utf8');
    assert.deepEqual(
      pick(classifyScreen(styleScreen(screen429, model.view(4400)).join('\n'), NO_PHRASES)),
      pick(classifyScreen(real429, NO_PHRASES)),
    );
  });

  void test('a TAB in the box and in the echo is 4 spaces; the prompt as received is built as FINDINGS.md §2 says', () => {
    const model = new StandinModel({ ...cfg, collapseLines: 3 }, () => 0.45);
    model.handleKey({ kind: 'paste', bytes: 'col1\tcol2\r\n\tx' }, 0);
    assert.equal(renderScreen(model.view(0), 200, 50, 0).at(-4), `❯${NBSP}col1    col2`);
    model.handleKey({ kind: 'text', bytes: ' typed\t  ' }, 10);
    const effects = model.handleKey({ kind: 'enter' }, 1000);
    // a short paste is text: CRLF → LF, TAB → 4 spaces, trailing spaces trimmed
    assert.deepEqual(
      effects.find((e) => e.kind === 'prompt'),
      { kind: 'prompt', at: 1000, prompt: 'col1    col2\n    x typed', source: 'typed' },
    );
    assert.match(renderScreen(model.view(1100), 200, 50, 1100).join('\n'), /^❯ col1 {4}col2\n {6}x typed {6}$/m);

    // a paste of 3 or more line breaks is collapsed, and wrapped with the session's paste id
    const other = new StandinModel({ ...cfg, collapseLines: 3 }, () => 0.45);
    assert.equal(other.pasteId, '7333');
    other.handleKey({ kind: 'text', bytes: 'look at this:' }, 0);
    other.handleKey({ kind: 'paste', bytes: 'p1\np2\np3\np4\np5' }, 0);
    other.handleKey({ kind: 'text', bytes: ' thanks' }, 200);
    assert.equal(
      renderScreen(other.view(200), 200, 50, 200).at(-3),
      `❯${NBSP}look at this:[Pasted text #1 +4 lines] thanks`,
    );
    const sent = other.handleKey({ kind: 'enter' }, 1000).find((e) => e.kind === 'prompt');
    assert.equal(
      sent?.kind === 'prompt' && sent.prompt,
      'look at this:\n\n<pasted_content id="7333">\np1\np2\np3\np4\np5\n</pasted_content id="7333">\n\n thanks',
    );
    // one long line collapses too, without a line count
    const long = new StandinModel({ ...cfg, collapseLines: 3 }, () => 0.45);
    long.handleKey({ kind: 'paste', bytes: 'z'.repeat(900) }, 0);
    assert.equal(renderScreen(long.view(0), 200, 50, 0).at(-3), `❯${NBSP}[Pasted text #1]`);
  });
});

void describe('stand-in hook settings (no tmux)', () => {
  void test('reads command hooks from a file or JSON text, with matchers and default timeouts', async () => {
    const settings = {
      hooks: {
        SessionStart: [
          { matcher: 'startup', hooks: [{ type: 'command', command: 'a' }] },
          { matcher: 'resume|clear', hooks: [{ type: 'command', command: 'b', timeout: 3 }] },
        ],
        StopFailure: [
          {
            hooks: [
              { type: 'command', command: 'c' },
              { type: 'prompt', prompt: 'not a command' },
            ],
          },
        ],
        Stop: 'not a list',
      },
      permissions: { allow: [] },
    };
    const file = join(dir, 'hooks-unit.json');
    await writeFile(file, JSON.stringify(settings));
    for (const parsed of [readHookSettings(file), readHookSettings(JSON.stringify(settings))]) {
      assert.deepEqual(commandsFor(parsed, 'SessionStart', 'startup'), [{ command: 'a', timeoutS: 60 }]);
      assert.deepEqual(commandsFor(parsed, 'SessionStart', 'clear'), [{ command: 'b', timeoutS: 3 }]);
      assert.deepEqual(commandsFor(parsed, 'StopFailure', 'rate_limit'), [{ command: 'c', timeoutS: 60 }]);
      assert.deepEqual(commandsFor(parsed, 'Stop'), []);
      assert.deepEqual(commandsFor(parsed, 'UserPromptSubmit'), []);
    }
    assert.throws(() => readHookSettings(join(dir, 'missing.json')), /ENOENT/);
    assert.throws(() => readHookSettings('{not json'), SyntaxError);
  });
});
