/**
 * awaitAck's one-round-trip poll (activities/ack-poll.ts, receipts.ts ACK_POLL): the allow-list
 * takes it only with a tmux capture-pane; the script, run by the real sh, waits for the event log
 * to grow (and no longer), gives the screen byte for byte with its status and stderr apart from
 * the records, and reads only the records after the cursor; the pause before the next poll.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pauseMs } from '../../src/activities/ack-poll';
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

  it('waits until the event log grows past the cursor, not for the whole pause', async () => {
    writeFileSync(events, line('UserPromptSubmit', { sha256: 'a', length: 1 }));
    const size = line('UserPromptSubmit', { sha256: 'a', length: 1 }).length;
    const cursor = { events: size, transcript: null };
    const poll = runPoll(cursor, '60', ['printf', 'screen']);
    setTimeout(() => appendFileSync(events, line('Stop')), 300).unref();
    // a 60 s pause that ends with the Stop line (the test's own timeout would fail it otherwise)
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
