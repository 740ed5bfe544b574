/**
 * The fault suite's exact-byte agent is only as good as its terminal parsing: bytes fed through
 * its stdin in chosen chunks (markers split across reads), and once in tmux (a real bracketed
 * paste, the screen the classifier reads).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { classifyScreen } from '../../src/tmux/screen';
import { TmuxServer } from '../helpers/tmux';
import { waitFor } from '../helpers/wait';
import { exactAgentCommand, ROOT } from './harness';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-exact-agent-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loggedIn(log: string): Promise<string[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Buffer.from((JSON.parse(l) as { b64: string }).b64, 'base64').toString('utf8'));
}

let runs = 0;

/** Feeds the chunks to a fresh agent (stdin a pipe), then ends with a marker prompt; returns what it logged before it. */
async function feed(chunks: (string | Buffer)[]): Promise<string[]> {
  const log = join(dir, `log-${++runs}.jsonl`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'exact-agent.ts'), '--log', log, '--work-ms', '0'],
    { cwd: ROOT, stdio: ['pipe', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    // the chunks may reach the agent as separate reads or coalesced: the result must not differ
    for (const c of chunks) child.stdin.write(c);
    child.stdin.write('\x1b[200~END\x1b[201~\r');
    const all = await waitFor(async () => ((await loggedIn(log)).includes('END') ? loggedIn(log) : null), {
      timeoutMs: 20_000,
      what: 'the END prompt',
    });
    return all.slice(0, all.indexOf('END'));
  } finally {
    child.stdin.end();
    child.kill('SIGTERM');
    await exited;
  }
}

describe('exact agent: terminal input parsing', () => {
  it('ESC[201~ inside a paste ends it: the rest are keystrokes, its CR submits early', async () => {
    assert.deepEqual(await feed(['\x1b[200~hello\nworld\x1b[201~evil\rmore\x1b[201~\r']), [
      'hello\nworldevil',
      'more\x1b[201~',
    ]);
  });

  it('a CR inside a paste is text; a CR outside submits', async () => {
    assert.deepEqual(await feed(['\x1b[200~a\rb\x1b[201~', '\r']), ['a\rb']);
  });

  it('paste markers split across reads are still markers', async () => {
    assert.deepEqual(await feed(['\x1b[20', '0~x', 'y\x1b[2', '01~', '\r']), ['xy']);
  });

  it('unknown escape sequences and a lone ESC are typed literally', async () => {
    assert.deepEqual(await feed(['\x1b[Zmode\r', 'a\x1b', 'b\r']), ['\x1b[Zmode', 'a\x1bb']);
  });

  it('an empty box ignores CR; bytes are logged exactly (a character split across reads)', async () => {
    const e = Buffer.from('é');
    assert.deepEqual(await feed(['\r\r', Buffer.from([0x7a, e[0] ?? 0]), Buffer.from([e[1] ?? 0, 0x0d])]), ['zé']);
  });
});

describe('exact agent: the screen in tmux', () => {
  let tmux: TmuxServer;
  before(async () => {
    tmux = await TmuxServer.start('exact-agent');
  });
  after(async () => {
    await tmux.kill();
  });

  it('idle, the pasted text in the box, working after C-m, then a finished turn', async () => {
    const log = join(dir, 'tmux.jsonl');
    await tmux.newSession('a', exactAgentCommand(log, 1000), { width: 200, height: 50 });
    const screen = async () => classifyScreen(await tmux.capture('a'));
    await waitFor(async () => (await screen()).state === 'idle', { timeoutMs: 20_000, what: 'idle' });
    await tmux.paste('a', 'first line\n\tsecond line');
    const inBox = await waitFor(async () => ((await screen()).state === 'text-in-input' ? screen() : null), {
      timeoutMs: 10_000,
      what: 'the text in the box',
    });
    assert.equal(inBox.input, 'first line\n    second line');
    await tmux.sendKeys('a', 'C-m');
    await waitFor(async () => (await screen()).state === 'working', { timeoutMs: 10_000, what: 'working' });
    const done = await waitFor(async () => ((await screen()).turnsDone === 1 ? screen() : null), {
      timeoutMs: 10_000,
      what: 'the finished turn',
    });
    assert.equal(done.state, 'idle');
    assert.equal(done.input, '');
    assert.equal(done.promptEchoes, 1);
    assert.deepEqual(await loggedIn(log), ['first line\n\tsecond line']);
  });
});
