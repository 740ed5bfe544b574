/**
 * Notifications end to end: real dev server, sshd, tmux and a stand-in agent that phones home,
 * and HTTP servers on 127.0.0.1 (node:http) as the webhooks. A job that awaits resolution POSTs
 * one notification (with the phone-home's heading, the exact `job resolve` command and the UI
 * link; the header's secret from the worker's environment, never in history); a webhook that
 * answers 500 first gets the notification once, on the retry; a command notifier gets the JSON on
 * stdin; Slack-compatible and ntfy servers get their own shapes; a webhook that stays down shows
 * its failure (naming the notifier) on the notification, and does not hold the job back: it is
 * resolved and done while that notification still retries.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { JobStatus } from '../../src/contracts/job-status';
import { resolveCommand, type Notification } from '../../src/contracts/notify';
import { notifiersSchema } from '../../src/config/notify-schema';
import { addAgent, makeConfig, withWorker } from '../helpers/stack';
import { recordHistory, uniqueQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { stackPerFile } from '../helpers/cli';

const ROOT = join(__dirname, '..', '..');
const { stack, cli } = stackPerFile();

const TOKEN_VAR = 'PEER_COMMS_E2E_NOTIFY_TOKEN';
const DEAD_URL_VAR = 'PEER_COMMS_E2E_NOTIFY_DEAD_URL';
const SECRET = 'Bearer e2e-s3cret-notify-token';
const DEAD_PATH = '/dead-hook-secret-path';

interface Hook {
  server: Server;
  url: string;
  /** Every request: its status, path, headers and body (raw, and parsed when it is JSON). */
  got: { status: number; path: string; headers: IncomingMessage['headers']; raw: string; body: Notification }[];
}

/** A webhook on 127.0.0.1 answering the given statuses in turn (the last one repeats). */
async function hook(statuses: number[]): Promise<Hook> {
  const h: Hook = { server: createServer(), url: '', got: [] };
  h.server.on('request', (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses[Math.min(h.got.length, statuses.length - 1)] ?? 200;
      const raw = Buffer.concat(chunks).toString('utf8');
      const json = req.headers['content-type'] === 'application/json';
      const body = (json ? JSON.parse(raw) : {}) as Notification;
      h.got.push({ status, path: req.url ?? '', headers: req.headers, raw, body });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => h.server.listen(0, '127.0.0.1', resolve));
  h.url = `http://127.0.0.1:${(h.server.address() as AddressInfo).port}`;
  return h;
}

/** A history as text, its payloads' bytes decoded (JSON.stringify alone would show them as numbers). */
function textOf(x: unknown): string {
  // the value before toJSON (a Buffer's toJSON would turn it into numbers first)
  return JSON.stringify(x, function (this: Record<string, unknown>, k: string, v: unknown) {
    const raw = this[k];
    return raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : v;
  });
}

const hooks: Hook[] = [];
after(() => {
  for (const h of hooks) h.server.close();
  delete process.env[TOKEN_VAR];
  delete process.env[DEAD_URL_VAR];
});

describe('notifications', () => {
  it('awaiting resolution: one POST with the resolve command; a 500 retried into one delivery; the command gets the JSON; a dead webhook does not hold the job', async () => {
    const ok = await hook([200]);
    const flaky = await hook([500, 200]);
    const dead = await hook([500]);
    const chat = await hook([200]);
    const phone = await hook([200]);
    hooks.push(ok, flaky, dead, chat, phone);
    // The worker runs in this process: the secrets are in its environment, not in the peers file.
    process.env[TOKEN_VAR] = SECRET;
    process.env[DEAD_URL_VAR] = `${dead.url}${DEAD_PATH}`;
    const stdinFile = join(stack().dir, 'notify-stdin.jsonl');
    const appendStdin = 'require("fs").appendFileSync(process.argv[1], require("fs").readFileSync(0))';
    const notify = [
      {
        name: 'ok',
        kind: 'webhook',
        url: `${ok.url}/hook`,
        headers: { Authorization: { env: TOKEN_VAR } },
        on: ['awaiting-resolution', 'failed', 'done'],
      },
      { name: 'flaky', kind: 'webhook', url: `${flaky.url}/hook` },
      { name: 'dead', kind: 'webhook', urlEnv: DEAD_URL_VAR },
      { name: 'cmd', kind: 'command', command: [process.execPath, '-e', appendStdin, stdinFile] },
      { name: 'chat', kind: 'slack', url: `${chat.url}/services/T0/B0/x` },
      { name: 'phone', kind: 'ntfy', server: phone.url, topic: 'peer-comms-e2e' },
    ];

    const peer = await addAgent(stack(), { workMs: 800 }, { inbox: true, entry: { jobs: { scanInterval: '1s' } } });
    const tq = uniqueQueue('notify');
    const config = { ...makeConfig(stack(), [peer], {}, tq), notify: notifiersSchema.parse(notify) };
    const cfgFile = join(stack().dir, `${peer.name}-notify.json`);
    await writeFile(cfgFile, JSON.stringify({ ...config, notify }));
    const directive = `${await readFile(join(ROOT, 'examples', 'directive.md'), 'utf8')}\nstand-in: phone home thermal-check\n`;
    const directiveFile = join(stack().dir, 'notify-directive.md');
    await writeFile(directiveFile, directive);
    const jobId = `job-${peer.name}-notify`;
    const awaitingChild = `${jobId}-notify-awaiting-1`;
    const client = stack().env.client;
    const show = async (): Promise<JobStatus> => {
      const r = await cli(['--config', cfgFile, 'job', 'show', jobId, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as JobStatus;
    };
    const events = (h: Hook, event: string) => h.got.filter((g) => g.body.event === event);

    try {
      await withWorker(
        stack(),
        config,
        async () => {
          const start = await cli(['--config', cfgFile, 'job', 'start', peer.name, directiveFile, '--slug', 'notify']);
          assert.equal(start.code, 0, start.stderr);

          // 1. the job awaits a person: the notification arrives, once, with what a person needs
          await waitFor(() => events(ok, 'awaiting-resolution').length > 0, {
            timeoutMs: 90_000,
            intervalMs: 200,
            what: 'the awaiting-resolution POST',
          });
          assert.equal((await show()).state, 'awaiting-resolution');
          const [got] = events(ok, 'awaiting-resolution');
          assert.equal(got?.headers.authorization, SECRET, 'the header comes from the worker environment');
          const n = got.body;
          assert.equal(n.peer, peer.name);
          assert.equal(n.workflowId, jobId);
          assert.equal(n.reason, 'phone-home');
          assert.equal(n.topic, 'thermal-check');
          assert.equal(n.heading, 'Phone home: thermal-check');
          assert.equal(n.resolveCommand, resolveCommand(jobId));
          assert.equal(n.resolveCommand, `peer-comms job resolve ${jobId} --decision a|b|c --note "…"`);
          assert.match(n.text, new RegExp(`Resolve: peer-comms job resolve ${jobId} `));
          assert.match(n.url, new RegExp(`/namespaces/default/workflows/${jobId}$`));

          // 2. the flaky webhook: 500, then the retry is delivered; exactly one delivery
          await waitFor(() => flaky.got.some((g) => g.status === 200), {
            timeoutMs: 60_000,
            intervalMs: 200,
            what: 'the flaky webhook’s retry',
          });
          assert.deepEqual(
            flaky.got.map((g) => [g.status, g.body.event]),
            [
              [500, 'awaiting-resolution'],
              [200, 'awaiting-resolution'],
            ],
          );

          // 3. the command notifier got the notification's JSON on stdin
          await waitFor(async () => (await readFile(stdinFile, 'utf8').catch(() => '')).includes('\n'), {
            timeoutMs: 30_000,
            intervalMs: 200,
            what: 'the command notifier',
          });
          const lines = (await readFile(stdinFile, 'utf8')).trim().split('\n');
          assert.equal(lines.length, 1);
          assert.deepEqual(JSON.parse(lines[0]!), n);

          // 3b. Slack-compatible and ntfy bodies, as their servers get them
          await waitFor(() => chat.got.length > 0 && phone.got.length > 0, {
            timeoutMs: 30_000,
            intervalMs: 200,
            what: 'the slack and ntfy notifiers',
          });
          const slack = JSON.parse(chat.got[0]!.raw) as { text: string; blocks: unknown[] };
          assert.deepEqual(Object.keys(slack).sort(), ['blocks', 'text']);
          assert.match(slack.text, new RegExp(`${jobId} awaits your decision`));
          assert.ok(JSON.stringify(slack.blocks).includes(`peer-comms job resolve ${jobId}`));
          const ntfy = phone.got[0]!;
          assert.equal(ntfy.path, '/peer-comms-e2e');
          assert.equal(ntfy.raw, n.text);
          assert.equal(ntfy.headers.title, n.title);
          assert.equal(ntfy.headers.priority, 'high');
          assert.equal(ntfy.headers.tags, 'raising_hand');

          // 4. the dead webhook: its failure shows on the notification (named, no secret) while it retries
          await waitFor(() => dead.got.length > 0, { timeoutMs: 30_000, intervalMs: 200, what: 'the dead webhook' });
          const failure = await waitFor(
            async () => {
              const d = await client.workflow.getHandle(awaitingChild).describe();
              return d.raw.pendingActivities?.find((a) => a.lastFailure?.message)?.lastFailure?.message ?? undefined;
            },
            { timeoutMs: 30_000, intervalMs: 200, what: 'the dead notifier’s failure on the notification' },
          );
          assert.match(failure, /notifier "dead" \(webhook\): POST to http:\/\/127\.0\.0\.1:\d+ answered 500/);
          assert.ok(!failure.includes(DEAD_PATH) && !failure.includes(SECRET));

          // 5. resolved and done while the dead webhook's notification is still retrying
          const res = await cli([
            '--config',
            cfgFile,
            'job',
            'resolve',
            jobId,
            '--decision',
            'b',
            '--note',
            `finish\nstand-in: done ${jobId}`,
          ]);
          assert.equal(res.code, 0, res.stderr);
          await waitFor(async () => (await show()).state === 'done', {
            timeoutMs: 90_000,
            intervalMs: 500,
            what: 'job done',
          });
          const child = await client.workflow.getHandle(awaitingChild).describe();
          assert.equal(child.status.name, 'RUNNING', 'the notification still retries; the job did not wait for it');

          // 6. done is opt-in: only `ok` asked for it; the awaiting notification was sent once
          await waitFor(() => events(ok, 'done').length > 0, { timeoutMs: 30_000, intervalMs: 200, what: 'done' });
          assert.equal(events(ok, 'awaiting-resolution').length, 1);
          assert.equal(events(ok, 'done').length, 1);
          assert.ok(flaky.got.every((g) => g.body.event === 'awaiting-resolution'));

          await recordHistory(stack().env, jobId, 'job-notified-resolved-done');
          await recordHistory(stack().env, `${jobId}-notify-done`, 'notification-delivered');

          // 7. no secret in any history
          for (const id of [jobId, awaitingChild, `${jobId}-notify-done`]) {
            const history = textOf(await client.workflow.getHandle(id).fetchHistory());
            assert.ok(!history.includes('s3cret') && !history.includes(DEAD_PATH), `no secret in ${id}'s history`);
          }
        },
        tq,
      );
    } finally {
      await client.workflow
        .getHandle(awaitingChild)
        .terminate('test over')
        .catch(() => undefined);
    }
  });
});
