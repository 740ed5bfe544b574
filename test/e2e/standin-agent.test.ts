/**
 * The stand-in agent in a real tmux pane (private socket, 200x50): idle box, bracketed paste
 * with exact bytes, collapsed pastes, the Enter-after-paste window, empty Enter, queueing,
 * Escape, the trust dialog, 401 errors (flag and SIGUSR1) and Ctrl-C. Plus a few checks of
 * the pure renderer against lines taken from the real Claude Code captures.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StandinModel } from '../../src/standin/model';
import { renderScreen } from '../../src/standin/render';
import type { StandinFlags } from '../helpers/tmux';
import { TmuxServer, shQuote, standinCommand } from '../helpers/tmux';
import { waitFor } from '../helpers/wait';

const NBSP = '\u00a0';
const RULE = '─'.repeat(200);
const FOOTER = '  ⏵⏵ auto mode on (shift+tab to cycle)';
const BUSY = 'esc to interrupt';
const DONE_LINE = /^✻ \S+ for \d+s · done \d{1,2}:\d{2} (AM|PM)$/m;
/** Bottom of idle.txt (real Claude Code 2.1.328, 200x50). */
const IDLE_BOTTOM = [RULE, `❯${NBSP}`, RULE, FOOTER];
const WAIT = { timeoutMs: 10_000 };

interface LogEntry {
  t: number;
  b64?: string;
  text?: string;
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
  screen(): Promise<string>;
  log(): Promise<LogEntry[]>;
  pid(): Promise<number>;
  /** The agent's exit status once it has exited, else null. */
  exitStatus(): Promise<number | null>;
}

async function startAgent(flags: StandinFlags = {}): Promise<Agent> {
  seq += 1;
  const name = `s${seq}`;
  const logPath = join(dir, `${name}.log`);
  const pidPath = join(dir, `${name}.pid`);
  const exitPath = join(dir, `${name}.exit`);
  const command = standinCommand({ log: logPath, pidFile: pidPath, cwdLabel: '/home/user/project', ...flags });
  await tmux.newSession(name, `${command}; echo $? > ${shQuote(exitPath)}`);
  const agent: Agent = {
    name,
    logPath,
    pidPath,
    screen: () => tmux.capture(name),
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
    const agent = await startAgent({ workMs: 1500 });
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
    assert.match(done, /^❯ first line\n\n● Acknowledged\. Working on it\.\n\n✻ /m);
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

  void test('an Enter right after a paste is swallowed; a later Enter submits', async () => {
    const agent = await startAgent({ workMs: 300 });
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

  void test('--auth-fail: retries with the 401 line, then "Please run /login"', async () => {
    const agent = await startAgent({ authFail: true, authRetryMs: 700 });
    await submitTyped(agent, 'will fail');
    const retrying = await waitFor(async () => ((s) => s.includes('attempt 1/10') && s)(await agent.screen()), {
      ...WAIT,
      what: 'the first retry',
    });
    assert.ok(retrying.includes(BUSY));
    const final = await waitFor(async () => ((s) => s.includes('Please run /login') && s)(await agent.screen()), {
      ...WAIT,
      what: 'the final 401',
    });
    assert.match(final, /^● Please run \/login · API Error: 401 OAuth token has expired\. Please obtain a new token/m);
    assert.equal(inputText(final), 'Once fixed, resend your message');
    assert.ok(isIdle(final));
    assert.equal((await agent.log()).length, 1);
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
  const cfg = {
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
});
