/**
 * The worker's log lines (src/temporal/logging.ts), its runtime options (runtime.ts) and the
 * search-attribute setup message (search-attributes.ts): json is one parseable object per line,
 * text has no ANSI off a terminal, a failed retry is one line, secrets never appear.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { LineLogger, wantsColor, type LineLoggerOptions } from '../../src/temporal/logging';
import { parseLogFormat, parseMetricsAddress, resolveRuntimeOptions } from '../../src/temporal/runtime';
import {
  ensureSearchAttributes,
  SearchAttributesMissing,
  searchAttributeCommands,
  searchAttributesUncheckedLine,
} from '../../src/temporal/search-attributes';

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[`);

function capture(opts: Partial<LineLoggerOptions> = {}): { logger: LineLogger; lines: string[] } {
  const lines: string[] = [];
  const logger = new LineLogger({
    level: 'WARN',
    format: 'text',
    write: (l) => lines.push(l),
    now: () => new Date('2026-01-02T03:04:05.678Z'),
    ...opts,
  });
  return { logger, lines };
}

/** What the SDK's activity worker logs when an attempt fails (its meta, as activity.js builds it). */
function activityFailed(logger: LineLogger): void {
  const cause = new Error('connect ECONNREFUSED 127.0.0.1:22');
  const error = ApplicationFailure.create({ message: 'peer1: ssh did not connect', type: 'PeerUnreachable', cause });
  logger.warn('Activity failed', {
    sdkComponent: 'worker',
    isLocal: false,
    attempt: 3,
    namespace: 'default',
    taskToken: 'CiQ2ZjQ0YjE5Ny1hYmNkLTQ1ZjMtOGNiZi1kZWFkYmVlZjAwMDA=',
    activityId: '7',
    activityType: 'preflight',
    taskQueue: 'peer-comms',
    workflowId: 'send-peer1-x',
    workflowRunId: 'r1',
    workflowType: 'sendDirective',
    error,
    durationMs: 12,
  });
}

describe('worker logs', () => {
  it('json: one object per line with time, level, message, sdkComponent, workflowId and the failure condensed', () => {
    const { logger, lines } = capture({ format: 'json' });
    activityFailed(logger);
    logger.info('below WARN: dropped');
    logger.error('Worker failed', { sdkComponent: 'worker', taskQueue: 'peer-comms' });
    assert.equal(lines.length, 2);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(first?.time, '2026-01-02T03:04:05.678Z');
    assert.equal(first?.level, 'WARN');
    assert.equal(first?.message, 'Activity failed');
    assert.equal(first?.sdkComponent, 'worker');
    assert.equal(first?.workflowId, 'send-peer1-x');
    assert.equal(first?.attempt, 3);
    assert.deepEqual(first?.error, {
      type: 'PeerUnreachable',
      message: 'peer1: ssh did not connect',
      cause: 'Error: connect ECONNREFUSED 127.0.0.1:22',
    });
    assert.equal('taskToken' in (first ?? {}), false);
    assert.equal(second?.level, 'ERROR');
    for (const l of lines) assert.doesNotMatch(l, ANSI);
  });

  it('json: the runtime timestamp of a forwarded entry is used', () => {
    const { logger, lines } = capture({ format: 'json' });
    logger.warn('core says', { [Symbol.for('log_timestamp')]: 1_700_000_000_123_000_000n, sdkComponent: 'core' });
    assert.equal((JSON.parse(lines[0] ?? '{}') as { time: string }).time, '2023-11-14T22:13:20.123Z');
  });

  it('text: a failed retry is one line naming the type, message, cause, attempt and activity; no stack at WARN', () => {
    const { logger, lines } = capture();
    activityFailed(logger);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.split('\n').length, 1);
    assert.match(lines[0] ?? '', /WARN {2}Activity failed: PeerUnreachable: peer1: ssh did not connect/);
    assert.match(lines[0] ?? '', /cause Error: connect ECONNREFUSED/);
    assert.match(lines[0] ?? '', /attempt=3/);
    assert.match(lines[0] ?? '', /activityType=preflight/);
    assert.doesNotMatch(lines[0] ?? '', /taskToken|at .*\.ts:\d+/);
    assert.doesNotMatch(lines[0] ?? '', ANSI);
  });

  it('text at DEBUG: the stack follows, indented', () => {
    const { logger, lines } = capture({ level: 'DEBUG' });
    activityFailed(logger);
    assert.match(lines[0] ?? '', /\n {4}.*ApplicationFailure/);
  });

  it('text on a terminal: the level is coloured; never in json', () => {
    const coloured = capture({ color: true });
    coloured.logger.warn('x');
    assert.match(coloured.lines[0] ?? '', ANSI);
    const json = capture({ format: 'json', color: true });
    json.logger.warn('x');
    assert.doesNotMatch(json.lines[0] ?? '', ANSI);
  });

  it('colour only on a TTY, never with NO_COLOR or TERM=dumb; FORCE_COLOR forces it', () => {
    assert.equal(wantsColor({ isTTY: true }, {}), true);
    assert.equal(wantsColor({ isTTY: false }, {}), false);
    assert.equal(wantsColor({}, {}), false);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(wantsColor({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
    assert.equal(wantsColor({ isTTY: true }, { FORCE_COLOR: '1', NO_COLOR: '1' }), false);
  });

  it('an API key never reaches a line: masked by value anywhere, and by field name', () => {
    const key = 'tmprl_live_SECRET_abcdef0123456789';
    for (const format of ['text', 'json'] as const) {
      const { logger, lines } = capture({ format, secrets: [key] });
      logger.warn(`connect failed with Authorization: Bearer ${key}`, {
        apiKey: 'another-secret-value',
        error: new Error(`rejected ${key}`),
      });
      const all = lines.join('\n');
      assert.equal(all.includes(key), false, format);
      assert.equal(all.includes('another-secret-value'), false, format);
      assert.match(all, /\[redacted\]/);
    }
  });
});

describe('worker runtime options', () => {
  it('--metrics takes an IP or localhost with a port', () => {
    assert.equal(parseMetricsAddress('127.0.0.1:9464'), '127.0.0.1:9464');
    assert.equal(parseMetricsAddress('0.0.0.0:9464'), '0.0.0.0:9464');
    assert.equal(parseMetricsAddress('localhost:9464'), '127.0.0.1:9464');
    assert.equal(parseMetricsAddress('[::1]:9464'), '[::1]:9464');
    for (const bad of ['9464', 'metrics.lan:9464', '127.0.0.1:99999', '127.0.0.1:', 'http://127.0.0.1:9464']) {
      assert.throws(() => parseMetricsAddress(bad), { name: 'RuntimeOptionError', message: /--metrics/ }, bad);
    }
  });

  it('--log-format is text or json; the environment fills in what the flags leave out', () => {
    assert.equal(parseLogFormat('JSON'), 'json');
    assert.throws(() => parseLogFormat('yaml'), /text, json/);
    assert.deepEqual(resolveRuntimeOptions({}, {}), { metrics: undefined, logFormat: 'text' });
    assert.deepEqual(resolveRuntimeOptions({}, { PEER_COMMS_LOG_FORMAT: 'json', PEER_COMMS_METRICS: '127.0.0.1:1' }), {
      metrics: '127.0.0.1:1',
      logFormat: 'json',
    });
    assert.deepEqual(resolveRuntimeOptions({ logFormat: 'text' }, { PEER_COMMS_LOG_FORMAT: 'json' }).logFormat, 'text');
  });
});

describe('search attributes on Temporal Cloud', () => {
  const fakeConnection = (have: string[], addError?: Error) =>
    ({
      operatorService: {
        listSearchAttributes: () => Promise.resolve({ customAttributes: Object.fromEntries(have.map((n) => [n, 2])) }),
        addSearchAttributes: () => (addError ? Promise.reject(addError) : Promise.resolve({})),
      },
    }) as unknown as Connection;

  it('missing and refused on Cloud: the error names them and the tcld command and Cloud UI', async () => {
    const refused = new Error('7 PERMISSION_DENIED: Request unauthorized.');
    await assert.rejects(
      ensureSearchAttributes(fakeConnection(['Peer'], refused), 'peers.a1b2c', 'peers.a1b2c.tmprl.cloud:7233'),
      (err: unknown) => {
        assert.ok(err instanceof SearchAttributesMissing);
        assert.deepEqual(err.missing, ['Outcome', 'JobState']);
        assert.match(
          err.message,
          /Outcome \(Keyword\), JobState \(Keyword\) are missing on the Temporal Cloud namespace/,
        );
        assert.match(err.message, /PERMISSION_DENIED/);
        assert.match(
          err.message,
          /tcld namespace search-attributes add --namespace peers\.a1b2c --search-attribute "Outcome=Keyword" --search-attribute "JobState=Keyword"/,
        );
        assert.match(err.message, /Cloud UI/);
        return true;
      },
    );
  });

  it('all present: nothing is added; addable: no error', async () => {
    await ensureSearchAttributes(fakeConnection(['Peer', 'Outcome', 'JobState'], new Error('no')), 'ns', 'x:7233');
    await ensureSearchAttributes(fakeConnection([]), 'ns', '127.0.0.1:7233');
  });

  it('attributes that cannot even be listed: a warning naming all three and how to add them', () => {
    const line = searchAttributesUncheckedLine(new Error('PERMISSION_DENIED'), 'p.a.tmprl.cloud:7233', 'p.a');
    assert.match(line, /^warning: could not check the search attributes Peer\/Outcome\/JobState on namespace p\.a/);
    assert.match(line, /tcld namespace search-attributes add --namespace p\.a --search-attribute "Peer=Keyword"/);
  });

  it('self-hosted: the temporal operator commands; the API-key endpoint counts as Cloud', () => {
    assert.match(
      searchAttributeCommands('temporal.lan:7233', 'prod', ['Peer']),
      /temporal operator search-attribute create --namespace prod --name Peer --type Keyword/,
    );
    assert.match(
      searchAttributeCommands('us-east-1.aws.api.temporal.io:7233', 'p.acct', ['Peer']),
      /^on Temporal Cloud/,
    );
  });
});
