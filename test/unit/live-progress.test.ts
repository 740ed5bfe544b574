/** The send's live progress without a server: colour switches, the status line on a TTY and a pipe, retry lines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingRetries, type PendingRetry } from '../../src/client/send';
import { LiveOutput, type Term } from '../../src/cli/progress-term';
import { wantsColor } from '../../src/temporal/logging';
import { ProgressPrinter } from '../../src/cli/render';
import { retryLine } from '../../src/cli/retry-line';
import type { SendProgress } from '../../src/contracts/send';
import { sendDetails } from '../../src/workflows/send/steps';

function capture(tty: boolean, colour = false, columns?: number): Term & { text: () => string } {
  let text = '';
  return { write: (t) => void (text += t), tty, colour, columns, text: () => text };
}

const progress = (waitingFor?: string, steps: SendProgress['steps'] = []): SendProgress => ({
  workflowId: 'w',
  peer: 'p1',
  phase: 'waitIdle',
  steps,
  warnings: [],
  ...(waitingFor ? { waitingFor } : {}),
});

// the describe() answer's shape: proto timestamps (seconds as a Long-like number), a failure message with a stack below it
const NOW = 1_800_000_000_000;
const described = {
  raw: {
    pendingActivities: [
      {
        activityType: { name: 'preflight' },
        attempt: 3,
        lastFailure: { message: 'connect ECONNREFUSED 127.0.0.1:2222\n    at TCPConnectWrap.afterConnect' },
        nextAttemptScheduleTime: { seconds: (NOW + 7_400) / 1000, nanos: 0 },
      },
      { activityType: { name: 'inspectScreen' }, attempt: 1 }, // first attempt running: not a retry
    ],
  },
};

describe('live progress', () => {
  it('colour: NO_COLOR wins, FORCE_COLOR forces it on a pipe, a pipe or a dumb terminal gets none', () => {
    assert.equal(wantsColor({ isTTY: true }, {}), true);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(wantsColor({ isTTY: false }, { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
    assert.equal(wantsColor({ isTTY: false }, {}), false);
    assert.equal(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
    assert.equal(wantsColor({ isTTY: true }, { FORCE_COLOR: '0' }), false);
    assert.equal(wantsColor({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR is unset');
  });

  it('a retry from describe(): the failed attempt, its first line, the countdown', () => {
    const r = pendingRetries(described);
    assert.deepEqual(r, [
      {
        activity: 'preflight',
        failedAttempt: 2,
        lastError: 'connect ECONNREFUSED 127.0.0.1:2222',
        nextTryAt: NOW + 7_400,
      },
    ]);
    assert.equal(
      retryLine(r[0]!, 'p1', NOW),
      'preflight on p1: attempt 2 failed: connect ECONNREFUSED 127.0.0.1:2222 · next try in 8 s',
    );
    const running: PendingRetry = { activity: 'deliver', failedAttempt: 4, lastError: 'timeout' };
    assert.equal(retryLine(running, undefined, NOW), 'deliver: attempt 4 failed: timeout · trying again (attempt 5)');
    assert.deepEqual(pendingRetries({ raw: {} }), []);
  });

  it('a pipe: a wait is written once while only its numbers change, again when its words do; no ANSI', () => {
    const t = capture(false);
    const p = new ProgressPrinter(t, 'p1');
    for (let s = 1; s <= 1800; s++) p.update(progress(`agent busy (esc to interrupt); waited ${s} s of 1800 s`));
    p.update(progress('agent not ready (unknown); waited 3 s of 1800 s'));
    p.finish([{ step: 'waitIdle', status: 'done', startedAt: 0, endedAt: 2000, detail: 'agent idle' }]);
    const lines = t.text().split('\n').filter(Boolean);
    assert.deepEqual(lines, [
      '  ⏳ waiting: agent busy (esc to interrupt); waited 1 s of 1800 s',
      '  ⏳ waiting: agent not ready (unknown); waited 3 s of 1800 s',
      '  ✓ waitIdle              2.0s  agent idle',
    ]);
    assert.ok(!t.text().includes('\x1b'), 'no ANSI on a pipe');
  });

  it('a pipe: each new failed attempt is a line, the countdown ticking is not', () => {
    const t = capture(false);
    let now = NOW;
    const p = new ProgressPrinter(t, 'p1', () => now);
    const r = pendingRetries(described);
    p.retries(r);
    now += 1000;
    p.retries(r);
    p.retries([{ ...r[0]!, failedAttempt: 3, nextTryAt: now + 16_000 }]);
    p.retries([]);
    assert.deepEqual(t.text().split('\n').filter(Boolean), [
      '  ↻ preflight on p1: attempt 2 failed: connect ECONNREFUSED 127.0.0.1:2222 · next try in 8 s',
      '  ↻ preflight on p1: attempt 3 failed: connect ECONNREFUSED 127.0.0.1:2222 · next try in 16 s',
    ]);
  });

  it('a TTY: one status line rewritten in place, finished steps above it, cleared at the end', () => {
    const t = capture(true, true, 60);
    const p = new ProgressPrinter(t, 'p1');
    p.update(progress('agent busy; waited 1 s of 60 s'));
    p.update(progress('agent busy; waited 2 s of 60 s'));
    p.update(progress('agent busy; waited 2 s of 60 s')); // unchanged: nothing written
    p.update(progress(undefined, [{ step: 'preflight', status: 'failed', startedAt: 0, endedAt: 1000, detail: 'x' }]));
    p.finish([]);
    assert.equal(
      t.text(),
      '\r\x1b[2K  ⏳ waiting: agent busy; waited 1 s of 60 s' +
        '\r\x1b[2K  ⏳ waiting: agent busy; waited 2 s of 60 s' +
        '\r\x1b[2K\x1b[31m  ✗ preflight             1.0s  x\x1b[39m\n  ⏳ waiting: agent busy; waited 2 s of 60 s' +
        '\r\x1b[2K',
    );
  });

  it('a TTY: a long status is cut to the width (so \\r can rewrite it), coloured only with colour on', () => {
    const t = capture(true, false, 30);
    const out = new LiveOutput(t);
    out.setStatus('a'.repeat(100), { colour: 'yellow' });
    assert.equal(t.text(), `\r\x1b[2K${'a'.repeat(28)}…`);
  });

  it("the UI's current details: the step and its state, or what it waits for", () => {
    const step = { step: 'deliver', status: 'running', startedAt: 0 } as const;
    assert.equal(sendDetails({ ...progress(), phase: 'deliver', steps: [step] }), 'send to p1 · deliver: running');
    assert.equal(
      sendDetails({ ...progress('agent busy; waited 3 s of 60 s'), steps: [] }),
      'send to p1 · waitIdle: waiting — agent busy; waited 3 s of 60 s',
    );
    const done = { step: 'paneLock', status: 'done', startedAt: 0, endedAt: 5, detail: 'granted' } as const;
    assert.equal(
      sendDetails({ ...progress(), phase: 'paneLock', steps: [done] }),
      'send to p1 · paneLock: done (granted)',
    );
  });
});
