/**
 * awaitAck's one-round-trip poll (activities/ack-poll.ts, receipts.ts ACK_POLL): the allow-list
 * takes it only with a tmux capture-pane; the script, run by the real sh, waits for the event log
 * to grow (and no longer), gives the screen byte for byte with its status and stderr apart from
 * the records, and reads only the records after the cursor; the pause before the next poll.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pauseMs, pollAgent, type Pace } from '../../src/activities/ack-poll';
import type { PeerContext } from '../../src/activities/context';
import { canonicalSha256 } from '../../src/receipts/records';
import { agentFiles } from '../../src/receipts/hook';
import { configSchema } from '../../src/config/schema';
import type { PeerShell } from '../../src/peer-access/shell';
import { startWatch } from '../../src/activities/ack-watch';
import { ackPollCommand, parseAckPoll, recordsSince, type RecordCursor } from '../../src/activities/receipts';
import { commandProblem, type CommandPolicy } from '../../src/guards/commands';
import * as tmux from '../../src/tmux/commands';

const policy: CommandPolicy = { peer: 'p', rental: true, stagingDir: '~/.cache/peer-comms' };
const marker = 'PEERCOMMS_0123456789abcdef0123456789abcdef';
const capture = tmux.capturePane({ name: 'peer-comms' }, 'claude:0.0', { escapes: true });

const dir = mkdtempSync(join(tmpdir(), 'pc-ack-poll-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const events = join(dir, 'events.jsonl');
const tdir = join(dir, 'projects', '-w');
mkdirSync(tdir, { recursive: true });

const line = (event: string, extra: object = {}) =>
  `${JSON.stringify({ v: 1, event, at: '2026-01-01T00:00:00.000Z', ...extra })}\n`;

/** Runs the poll script with the real sh; `screen` stands in for the capture (the allow-list is not asked here). */
function runPoll(
  cursor: RecordCursor,
  waitS: string,
  screen: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = ackPollCommand({ events, transcriptDir: tdir }, cursor, waitS, marker, screen);
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ack poll command', () => {
  it('is allowed with a tmux capture-pane only, and a well-formed wait and marker', () => {
    const cursor = { events: 12, transcript: { path: `${tdir}/x.jsonl`, size: 3 } };
    const paths = { events, transcriptDir: tdir };
    assert.equal(commandProblem(ackPollCommand(paths, cursor, '0.100', marker, capture), policy), undefined);
    assert.equal(commandProblem(ackPollCommand(paths, cursor, '0', marker, capture), policy), undefined);
    const refusedWith = (argv: string[]) => assert.match(commandProblem(argv, policy) ?? '', /ack-poll takes/);
    refusedWith(ackPollCommand(paths, cursor, '0.1', marker, ['sh', '-c', 'rm -rf ~']));
    refusedWith(ackPollCommand(paths, cursor, '0.1', marker, tmux.sendKey({ name: 'x' }, 'a:0.0', 'C-m')));
    refusedWith(ackPollCommand(paths, cursor, '0.1', marker, [...capture, ';', 'docker']));
    refusedWith(ackPollCommand(paths, cursor, '1; reboot', marker, capture));
    refusedWith(ackPollCommand(paths, cursor, '0.1', 'a b', capture));
    refusedWith(ackPollCommand({ ...paths, events: 'relative' }, cursor, '0.1', marker, capture));
  });
});

describe('ack poll script (real sh)', () => {
  it('gives the screen byte for byte, apart from its status and stderr, and the records after the cursor', async () => {
    writeFileSync(events, line('UserPromptSubmit', { sha256: 'a', length: 1 }));
    const cursor = { events: 0, transcript: null };
    // a screen that shows text like the script's own headers and no final newline
    const screen = `== events 5\n== transcript -\n${marker.slice(0, 20)} screen 0\nlast`;
    const res = await runPoll(cursor, '0', ['sh', '-c', 'printf "%s" "$1"; printf "warn\\n" >&2', 'x', screen]);
    assert.equal(res.code, 0);
    const out = parseAckPoll(res, marker);
    assert.ok(out);
    assert.deepEqual(out.capture, { code: 0, stdout: screen, stderr: 'warn\n' });
    const r = recordsSince(out.records, cursor);
    assert.deepEqual(
      r.records.map((x) => x.kind),
      ['prompt'],
    );
    assert.equal(r.cursor.events, line('UserPromptSubmit', { sha256: 'a', length: 1 }).length);
    assert.deepEqual(r.sources, { hook: true, transcript: false });

    // from the cursor on: only the Stop written after it
    appendFileSync(events, line('Stop'));
    const again = parseAckPoll(await runPoll(r.cursor, '0', ['printf', 'x']), marker);
    assert.ok(again);
    assert.deepEqual(
      recordsSince(again.records, r.cursor).records.map((x) => x.kind),
      ['turn-end'],
    );
  });

  it('keeps the capture failure and its words for the caller', async () => {
    const res = await runPoll({ events: 0, transcript: null }, '0', [
      'sh',
      '-c',
      'echo "can\'t find session: claude" >&2; exit 1',
    ]);
    const out = parseAckPoll(res, marker);
    assert.ok(out);
    assert.equal(out.capture.code, 1);
    assert.equal(out.capture.stderr, "can't find session: claude\n");
  });

  it('waits until the event log grows past the cursor, not for the whole pause', { timeout: 30_000 }, async () => {
    writeFileSync(events, line('UserPromptSubmit', { sha256: 'a', length: 1 }));
    const size = line('UserPromptSubmit', { sha256: 'a', length: 1 }).length;
    const cursor = { events: size, transcript: null };
    const poll = runPoll(cursor, '60', ['printf', 'screen']);
    setTimeout(() => appendFileSync(events, line('Stop')), 300).unref();
    // a 60 s pause that ends with the Stop line (the test's 30 s timeout fails a wait that does not)
    const out = parseAckPoll(await poll, marker);
    assert.ok(out);
    assert.deepEqual(
      recordsSince(out.records, cursor).records.map((x) => x.kind),
      ['turn-end'],
    );
  });

  it('returns at once when the log already holds bytes after the cursor, and after the pause when it does not grow', async () => {
    writeFileSync(events, line('UserPromptSubmit', { sha256: 'a', length: 1 }));
    const early = parseAckPoll(await runPoll({ events: 0, transcript: null }, '60', ['printf', 's']), marker);
    assert.equal(early?.capture.stdout, 's');
    const size = line('UserPromptSubmit', { sha256: 'a', length: 1 }).length;
    const late = parseAckPoll(await runPoll({ events: size, transcript: null }, '0.2', ['printf', 's']), marker);
    assert.equal(late?.capture.stdout, 's');
    assert.equal(late && recordsSince(late.records, { events: size, transcript: null }).records.length, 0);
  });
});

describe('pollAgent (the real script, a stand-in capture)', () => {
  const state = join(dir, 'state');
  const files = agentFiles(state, 'pc', 'a');
  mkdirSync(state, { recursive: true });
  const idleScreen = readFileSync(
    join(__dirname, '..', 'fixtures', 'screens', 'claude-code-2.1.328', 'idle.txt'),
    'utf8',
  );
  /** The peer's shell: runs the command with the real sh, the capture-pane replaced by `capture` (and nothing else changed). */
  const shellWith = (capture: string[]): PeerShell =>
    ({
      peer: 'p',
      exec: (argv: readonly string[]) => {
        assert.equal(argv[3], 'ack-poll');
        const real = [...argv.slice(0, 11), ...capture];
        return new Promise((resolve) => {
          const child = spawn(real[0]!, real.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        });
      },
    }) as unknown as PeerShell;
  const cfg = configSchema.parse({
    controller: { credentialsPath: '/c/creds.json', auditLog: '/c/audit.log' },
    peers: {
      p: {
        host: '127.0.0.1',
        user: 'u',
        privateKey: '/k/id_ed25519',
        tmux: { socket: 'pc', target: 'a:0' },
        workdir: '/w',
        credentialsPath: '/w/creds.json',
        agentStateDir: state,
        claudeDir: join(dir, 'claude'),
      },
    },
  }).peers.p!;
  const ctxWith = (capture: string[]): PeerContext => ({
    name: 'p',
    cfg,
    shell: shellWith(capture),
    sock: { name: 'pc' },
    target: 'a:0.0',
    session: 'a',
  });
  const sha = canonicalSha256('the text').sha256;
  const watch = () =>
    startWatch(
      {
        peer: 'p',
        timeoutMs: 20_000,
        maxExtraEnters: 1,
        baseline: { state: 'idle', turnsDone: 0, promptEchoes: 0 },
        cursor: { events: 0, transcript: null },
        receiptSha256: sha,
      } as unknown as Parameters<typeof startWatch>[0],
      () => Date.now(),
    );

  it('reads the screen and the records in one command, and waits for the Stop', { timeout: 30_000 }, async () => {
    writeFileSync(files.events, line('UserPromptSubmit', { sha256: sha, length: 8 }));
    const w = watch();
    const pace: Pace = { waitMs: 0, peerWaits: true };
    const ctx = ctxWith(['printf', '%s', idleScreen]);
    const s = await pollAgent(ctx, w, pace);
    assert.equal(s.state, 'idle');
    assert.ok(w.verdict.receipt, 'the receipt');
    assert.equal(w.verdict.ended, false);
    pace.waitMs = 60_000; // ends with the Stop line (the test's 30 s timeout fails a wait that does not)
    setTimeout(() => appendFileSync(files.events, line('Stop')), 300).unref();
    await pollAgent(ctx, w, pace);
    assert.equal(w.verdict.ended, true);
    assert.equal(pace.peerWaits, true);
  });

  it('a session gone is SessionGone, as when the screen was read alone', async () => {
    const ctx = ctxWith(['sh', '-c', 'echo "can\'t find session: a" >&2; exit 1']);
    await assert.rejects(pollAgent(ctx, watch(), { waitMs: 0, peerWaits: true }), (err: Error & { type?: string }) => {
      assert.equal(err.type, 'SessionGone');
      assert.match(err.message, /p: the agent's tmux session a:0.0 is gone/);
      return true;
    });
  });

  it('without an event log to wait on, the peer wait is turned off (the caller sleeps)', async () => {
    rmSync(files.events, { force: true });
    const pace: Pace = { waitMs: 60_000, peerWaits: true };
    await pollAgent(ctxWith(['printf', '%s', idleScreen]), watch(), pace);
    assert.equal(pace.peerWaits, false);
  });
});

describe('pause before the next poll', () => {
  const input = {
    peer: 'p',
    timeoutMs: 20_000,
    maxExtraEnters: 2,
    baseline: { state: 'idle', turnsDone: 0, promptEchoes: 0 },
    cursor: { events: 0, transcript: null },
    receiptSha256: 'a',
  } as unknown as Parameters<typeof startWatch>[0];

  it('is pollMs, or until the next decision falls due, never below 5 ms', () => {
    let t = 1000;
    const w = startWatch(input, () => t);
    assert.equal(pauseMs(w, 1100, 100), 100);
    w.receivedAt = 1200; // confirmation window: due at 4200
    assert.equal(pauseMs(w, 4150, 100), 50);
    assert.equal(pauseMs(w, 4300, 100), 5);
    w.receivedAt = null;
    w.inputSince = 2000; // C-m again due at 2800
    assert.equal(pauseMs(w, 2770, 100), 30);
    w.extraEnters = 2; // no more presses: not due
    assert.equal(pauseMs(w, 2770, 100), 100);
    assert.equal(pauseMs(w, 1000 + 20_000 - 20, 100), 21); // the deadline (strictly after timeoutMs)
    t = 0;
  });
});
