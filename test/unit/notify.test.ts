/**
 * Notifications without Temporal: the `notify:` list in peers.yaml (refused before anything
 * starts), the Slack and ntfy shapes, the generic webhook against a server on 127.0.0.1 (secrets
 * from the environment, never in an error), the command kind (the JSON on its stdin, no shell),
 * and the `notify` activity's failures (typed, naming the notifier, not the secret).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createNotifyActivities } from '../../src/activities/notify';
import { ConfigError, parseConfigText } from '../../src/config/load';
import { notifiersSchema, type NotifierConfig } from '../../src/config/notify-schema';
import type { Config } from '../../src/config/schema';
import {
  NOTIFICATION_FAILED,
  notificationText,
  notificationTitle,
  phoneHomeHeading,
  resolveCommand,
  type Notification,
  type NotifyEvent,
} from '../../src/contracts/notify';
import { deliver, NotifyError } from '../../src/notify/deliver';
import { ntfyRequest, slackBody } from '../../src/notify/format';

const PEERS = ['peers:', '  rtx:', '    via: local'];
const SECRET = 'Bearer s3cret-token-value';

const awaiting: NotifyEvent = {
  event: 'awaiting-resolution',
  peer: 'rtx',
  workflowId: 'job-rtx-thermal',
  what: 'job',
  at: '2026-01-01T00:00:00.000Z',
  reason: 'phone-home',
  topic: 'thermal-check',
  heading: 'GPU 0 ran at 91 °C',
  recommendation: 'Re-run thermal-check with the fan curve raised.',
  resolveCommand: resolveCommand('job-rtx-thermal'),
};
const url = 'http://127.0.0.1:8233/namespaces/default/workflows/job-rtx-thermal';
const notification: Notification = {
  ...awaiting,
  url,
  title: notificationTitle(awaiting),
  text: notificationText(awaiting, url),
};

function notifiers(list: unknown): NotifierConfig[] {
  return notifiersSchema.parse(list);
}

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  path: string;
}

/** An HTTP server on 127.0.0.1 that records each request and answers with the next status (the last repeats). */
async function recordingServer(statuses: number[]): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '' });
      res.statusCode = statuses[Math.min(got.length - 1, statuses.length - 1)] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

describe('notify: the peers file', () => {
  it('accepts each kind, with defaults (on: awaiting-resolution and failed; ntfy.sh)', () => {
    const cfg = parseConfigText(
      [
        ...PEERS,
        'notify:',
        '  - { name: hook, kind: webhook, url: "https://hooks.example.invalid/x", headers: { Authorization: { env: HOOK_TOKEN }, X-Team: ops } }',
        '  - { name: chat, kind: slack, urlEnv: SLACK_URL, on: [awaiting-resolution, failed, done] }',
        '  - { name: phone, kind: ntfy, topic: peer-comms-alice }',
        '  - { name: local, kind: command, command: [/usr/local/bin/tell, --loud] }',
      ].join('\n'),
      'peers.yaml',
    );
    assert.deepEqual(
      cfg.notify.map((n) => [n.name, n.kind, n.on]),
      [
        ['hook', 'webhook', ['awaiting-resolution', 'failed']],
        ['chat', 'slack', ['awaiting-resolution', 'failed', 'done']],
        ['phone', 'ntfy', ['awaiting-resolution', 'failed']],
        ['local', 'command', ['awaiting-resolution', 'failed']],
      ],
    );
    const phone = cfg.notify[2];
    assert.equal(phone?.kind === 'ntfy' && phone.server, 'https://ntfy.sh');
    assert.deepEqual(parseConfigText(PEERS.join('\n'), 'peers.yaml').notify, []);
  });

  for (const [what, entry, problem] of [
    ['an unknown kind', '{ name: a, kind: pager, url: "https://x.invalid" }', /notify/],
    [
      'both url and urlEnv',
      '{ name: a, kind: webhook, url: "https://x.invalid", urlEnv: X }',
      /exactly one of url and urlEnv/,
    ],
    ['neither url nor urlEnv', '{ name: a, kind: slack }', /exactly one of url and urlEnv/],
    ['a URL that is not http(s)', '{ name: a, kind: webhook, url: "file:///etc/passwd" }', /http/],
    [
      'a header value from a bad variable name',
      '{ name: a, kind: webhook, url: "https://x.invalid", headers: { A: { env: "1 x" } } }',
      /environment variable name/,
    ],
    ['an unknown event', '{ name: a, kind: ntfy, topic: t, on: [sometimes] }', /notify/],
    ['a command given as one string (a shell line)', '{ name: a, kind: command, command: "tell --loud" }', /notify/],
    ['an unknown field', '{ name: a, kind: ntfy, topic: t, token: abc }', /token/],
  ] as const) {
    it(`refuses ${what} before anything starts (ConfigError, exit 2)`, () => {
      assert.throws(
        () => parseConfigText([...PEERS, 'notify:', `  - ${entry}`].join('\n'), 'peers.yaml'),
        (err: unknown) => err instanceof ConfigError && problem.test(err.message) && /notify/.test(err.message),
      );
    });
  }

  it('refuses a name used twice', () => {
    assert.throws(
      () =>
        parseConfigText(
          [...PEERS, 'notify:', '  - { name: a, kind: ntfy, topic: t }', '  - { name: a, kind: ntfy, topic: u }'].join(
            '\n',
          ),
          'peers.yaml',
        ),
      /names used twice: a/,
    );
  });
});

describe('notify: formats', () => {
  it('takes a phone-home heading from its first Markdown heading, else its first line', () => {
    assert.equal(phoneHomeHeading('\n# GPU 0 ran hot\n\ntext\n## Recommendation\nx'), 'GPU 0 ran hot');
    assert.equal(phoneHomeHeading('\n\nno heading here\nmore'), 'no heading here');
    assert.equal(phoneHomeHeading(`# ${'x'.repeat(300)}`).length, 200);
  });

  it('a Slack body is {text, blocks} with the resolve command and the UI link', () => {
    const body = slackBody(notification);
    assert.deepEqual(Object.keys(body).sort(), ['blocks', 'text']);
    assert.match(body.text, /job-rtx-thermal awaits your decision/);
    const blocks = JSON.stringify(body.blocks);
    assert.ok(blocks.includes(JSON.stringify(resolveCommand('job-rtx-thermal')).slice(1, -1)));
    assert.ok(blocks.includes(`<${url}|`));
    assert.ok(body.blocks.every((b) => typeof (b as { type?: unknown }).type === 'string'));
  });

  it('ntfy: the text as body to <server>/<topic>, Title/Tags/Priority headers', () => {
    const req = ntfyRequest('https://ntfy.example.invalid/', 'peer-comms-alice', notification);
    assert.equal(req.url, 'https://ntfy.example.invalid/peer-comms-alice');
    assert.equal(req.body, notification.text);
    assert.match(req.body, /Resolve: peer-comms job resolve job-rtx-thermal --decision a\|b\|c/);
    assert.equal(req.headers.Title, notification.title);
    assert.equal(req.headers.Priority, 'high');
    assert.equal(req.headers.Tags, 'raising_hand');
    assert.equal(req.headers.Click, url);
    // a title outside Latin-1 is still a valid header
    const odd = ntfyRequest('https://n.invalid', 't', { ...notification, title: 'GPU → 91 °C\nnext' });
    assert.equal(odd.headers.Title, 'GPU ? 91 °C next');
  });
});

describe('notify: delivery', () => {
  let hook: Awaited<ReturnType<typeof recordingServer>>;
  let dir: string;
  before(async () => {
    hook = await recordingServer([200, 500, 401]);
    dir = await mkdtemp(join(tmpdir(), 'notify-unit-'));
  });
  after(async () => {
    hook.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('webhook: one JSON POST, the header from the environment; 500 is retryable, 401 is not; no secret in errors', async () => {
    const [n] = notifiers([
      { name: 'hook', kind: 'webhook', urlEnv: 'HOOK_URL', headers: { Authorization: { env: 'HOOK_TOKEN' } } },
    ]);
    const env = { HOOK_URL: `${hook.url}/secret-path`, HOOK_TOKEN: SECRET };
    assert.match(await deliver(n!, notification, { env }), /200/);
    assert.equal(hook.got.length, 1);
    assert.equal(hook.got[0]?.path, '/secret-path');
    assert.equal(hook.got[0]?.headers.authorization, SECRET);
    assert.equal(hook.got[0]?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(hook.got[0]?.body ?? ''), notification);

    for (const retryable of [true, false]) {
      const err = await deliver(n!, notification, { env }).then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof NotifyError);
      assert.equal(err.retryable, retryable, err.message);
      assert.match(err.message, /notifier "hook" \(webhook\): POST to http:\/\/127\.0\.0\.1:\d+ answered (500|401)/);
      assert.ok(!err.message.includes('secret-path') && !err.message.includes(SECRET));
    }
  });

  it('a variable that is not set is a config problem naming it (not retried)', async () => {
    const [n] = notifiers([{ name: 'chat', kind: 'slack', urlEnv: 'SLACK_URL_NOT_SET' }]);
    await assert.rejects(
      deliver(n!, notification, { env: {} }),
      (e: unknown) =>
        e instanceof NotifyError && !e.retryable && e.configProblem && /SLACK_URL_NOT_SET/.test(e.message),
    );
  });

  it('what fetch would quote is never shown: a bad header value, a bad URL from the environment, a closed port', async () => {
    const [n] = notifiers([
      { name: 'hook', kind: 'webhook', urlEnv: 'HOOK_URL', headers: { Authorization: { env: 'HOOK_TOKEN' } } },
    ]);
    const closed = await recordingServer([200]);
    closed.server.close();
    const cases: [Record<string, string>, (e: NotifyError) => boolean][] = [
      [
        { HOOK_URL: hook.url, HOOK_TOKEN: `${SECRET}\nX-Evil: 1` },
        (e) => e.configProblem && /header Authorization/.test(e.message),
      ],
      [
        { HOOK_URL: 'http://[s3cret-token-value', HOOK_TOKEN: SECRET },
        (e) => e.configProblem && /\$HOOK_URL is not/.test(e.message),
      ],
      [
        { HOOK_URL: `${closed.url}/s3cret-token-value`, HOOK_TOKEN: SECRET },
        (e) => e.retryable && /ECONNREFUSED/.test(e.message),
      ],
    ];
    for (const [env, expected] of cases) {
      await assert.rejects(deliver(n!, notification, { env }), (e: unknown) => {
        assert.ok(e instanceof NotifyError);
        assert.ok(expected(e), e.message);
        assert.ok(!e.message.includes('s3cret'), e.message);
        return true;
      });
    }
  });

  it('command: runs the program (argv, no shell) with the notification JSON on stdin', async () => {
    const out = join(dir, 'stdin.json');
    const script = 'require("fs").writeFileSync(process.argv[1], require("fs").readFileSync(0))';
    const [n] = notifiers([{ name: 'local', kind: 'command', command: [process.execPath, '-e', script, out] }]);
    await deliver(n!, notification, { env: {} });
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), notification);

    const [failing] = notifiers([
      { name: 'local', kind: 'command', command: [process.execPath, '-e', 'console.error("nope"); process.exit(3)'] },
    ]);
    await assert.rejects(
      deliver(failing!, notification, { env: {} }),
      (e: unknown) =>
        e instanceof NotifyError && e.retryable && /notifier "local" \(command\): .* exited 3: nope/.test(e.message),
    );
    const [missing] = notifiers([{ name: 'local', kind: 'command', command: [join(dir, 'no-such-program')] }]);
    await assert.rejects(
      deliver(missing!, notification, { env: {} }),
      (e: unknown) => e instanceof NotifyError && !e.retryable,
    );
  });

  it('the notify activity: a failure is a typed ApplicationFailure naming the notifier, never the secret', async () => {
    const config = {
      notify: notifiers([
        { name: 'down', kind: 'webhook', url: `${hook.url}/x`, headers: { Authorization: { env: 'T' } } },
      ]),
    } as Config;
    const acts = createNotifyActivities({ config, env: { T: SECRET }, uiLink: (id) => `http://ui.invalid/${id}` });
    assert.deepEqual(await acts.notifyTargets({ event: 'failed' }), ['down']);
    assert.deepEqual(await acts.notifyTargets({ event: 'done' }), []);
    const env = new MockActivityEnvironment();
    const err = await env.run(acts.notify, { notifier: 'down', event: awaiting }).then(
      () => assert.fail('the server answers 401 by now'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, NOTIFICATION_FAILED);
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /notifier "down"/);
    assert.ok(!err.message.includes(SECRET));
  });
});
