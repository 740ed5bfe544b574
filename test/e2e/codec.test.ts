/**
 * Encryption at rest on a real Temporal dev server: a send whose worker and client carry the
 * AES-GCM codec leaves no byte of its directive text in the server's history (every payload is
 * `binary/encrypted`), the codec client still reads its result and queries, a client without
 * the key cannot, and the codec server decrypts a payload taken from that history for the UI.
 * Then the whole path: the CLI and the controller worker with `controller.codec.keyFile`, a
 * real send over sshd and tmux to a stand-in agent, which gets the exact text; and a `via:
 * worker` peer whose worker process and inbox watcher carry the codec, with a phone-home.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { payloadToJSON, type JSONPayload } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { startCodecServer, type CodecServer } from '../../src/cli/codec-command';
import { findTemporalBinary } from '../../src/temporal/cli-binary';
import { codecFromEnv, codecOptions, ENCODING_ENCRYPTED, KEYS_ENV, type AesGcmCodec } from '../../src/temporal/codec';
import { progressQuery, statusQuery } from '../../src/workflows/definitions';
import { sendDirective } from '../../src/workflows/send-directive';
import { createControllerWorker } from '../../src/workers/controller';
import type { JobStatus } from '../../src/contracts/job-status';
import { runCliBare, stackPerFile, startCli } from '../helpers/cli';
import { addAgent, makeConfig, prompts } from '../helpers/stack';
import { uniqueQueue, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { mockActivities, sha256Hex } from '../workflow/mock-activities';

const { stack, cli } = stackPerFile();
const theEnv = () => stack().env;
const UI_ORIGIN = 'http://127.0.0.1:8233';
const MARKER = 'CODEC-E2E-zebra-7f3a9c';
const TEXT = `Please rotate the staging secrets (${MARKER}) and report back.`;

const execFileP = promisify(execFile);
const str = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

/** Every Payload in a history (any message with metadata and data), found by walking the protos. */
function payloadsIn(node: unknown, out: Payload[] = [], seen = new Set<object>()): Payload[] {
  if (typeof node !== 'object' || node === null || seen.has(node)) return out;
  seen.add(node);
  if (node instanceof Uint8Array) return out;
  const maybe = node as Payload;
  if (maybe.data instanceof Uint8Array && typeof maybe.metadata === 'object' && maybe.metadata !== null) {
    out.push(maybe);
    return out;
  }
  for (const v of Object.values(node)) payloadsIn(v, out, seen);
  return out;
}

async function post(server: CodecServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    json: (await res.json()) as { payloads?: JSONPayload[]; error?: string },
  };
}

void describe('encryption at rest', () => {
  let codec: AesGcmCodec;
  let server: CodecServer;
  const key = randomBytes(32).toString('base64');

  before(async () => {
    const c = await codecFromEnv(undefined, { [KEYS_ENV]: `e2e-1:${key}` });
    assert.ok(c);
    codec = c;
    server = await startCodecServer({ codec, port: 0, corsOrigins: [UI_ORIGIN] });
  });
  after(async () => {
    await server?.close();
  });

  void test('a send with the codec: no plain text in the history, the codec client reads it, the codec server decodes it', async () => {
    const env = theEnv();
    const dataConverter = { payloadCodecs: [codec] };
    const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
    const taskQueue = uniqueQueue('codec');
    const peer = uniqueQueue('peer');
    const mock = mockActivities({ client, taskQueue });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: mock.activities,
      dataConverter,
    });
    const workflowId = uniqueQueue(`send-codec-${peer}`);
    const { result, progress } = await worker.runUntil(async () => {
      const handle = await client.workflow.start(sendDirective, {
        taskQueue,
        workflowId,
        args: [{ peer, text: TEXT, requestedBy: 'codec@e2e' }],
      });
      const result = await handle.result();
      return { result, progress: await handle.query(progressQuery) };
    });

    // The client with the key decodes results and queries as usual; the activities saw the plain text.
    assert.equal(result.outcome, 'acked');
    assert.equal(result.sha256, sha256Hex(TEXT));
    assert.ok(progress.steps.length > 0, 'the progress query decoded');
    const delivered = mock.calls.find((c) => c.name === 'deliver' && c.phase === 'start');
    assert.ok(JSON.stringify(delivered?.input).includes(MARKER), 'the activity got the plain text');

    // The raw history, read by a client without the codec: the text appears nowhere.
    const plainClient = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    const plainHandle = plainClient.workflow.getHandle(workflowId);
    const history = await plainHandle.fetchHistory();
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    assert.ok(raw.length > 0);
    for (const needle of [MARKER, 'zebra-7f3a9c', 'rotate the staging secrets']) {
      assert.ok(!raw.includes(Buffer.from(needle)), `"${needle}" is in the stored history`);
    }
    const payloads = payloadsIn(history);
    const kinds = new Map<string, number>();
    for (const p of payloads) {
      const enc = str(p.metadata?.encoding);
      kinds.set(enc, (kinds.get(enc) ?? 0) + 1);
    }
    // Every payload the codec sees is encrypted, activity summaries too; what stays plain is the
    // search attributes (Peer, Outcome) and the SDK's own markers (patch ids, local-activity metadata).
    const summaries = (history.events ?? []).flatMap((e) => (e.userMetadata?.summary ? [e.userMetadata.summary] : []));
    assert.ok(summaries.length > 0, 'no activity summaries in the history');
    for (const s of summaries) assert.equal(str(s.metadata?.encoding), ENCODING_ENCRYPTED, 'an activity summary');
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = started?.input?.payloads?.[0];
    assert.ok(input, 'the start event has an input payload');
    assert.equal(str(input.metadata?.encoding), ENCODING_ENCRYPTED);
    assert.equal(str(input.metadata?.['encryption-key-id']), 'e2e-1');
    const completed = history.events?.find((e) => e.workflowExecutionCompletedEventAttributes)
      ?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
    assert.equal(str(completed?.metadata?.encoding), ENCODING_ENCRYPTED);
    for (const e of history.events ?? []) {
      for (const p of [
        ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
        ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
        ...(e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []),
      ]) {
        assert.equal(
          str(p.metadata?.encoding),
          ENCODING_ENCRYPTED,
          `event ${String(e.eventId)} ${String(e.eventType)}`,
        );
      }
    }
    const userMetadata = payloads.filter((p) => str(p.metadata?.encoding) !== ENCODING_ENCRYPTED);
    for (const p of userMetadata) assert.ok(!Buffer.from(p.data ?? []).includes(Buffer.from(MARKER)));
    assert.ok((kinds.get(ENCODING_ENCRYPTED) ?? 0) >= 10, `payload encodings: ${JSON.stringify([...kinds])}`);

    // Without the key the result cannot be read; a peer-comms client with encryption off says what to set.
    await assert.rejects(plainHandle.result(), /binary\/encrypted|encoding/i);
    const offClient = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      ...(await codecOptions(undefined, {})),
    });
    await assert.rejects(
      offClient.workflow.getHandle(workflowId).result(),
      /codec key id "e2e-1"\), but encryption at rest is off here: set PEER_COMMS_CODEC_KEYS/,
    );

    // The codec server decrypts the history's own input payload for the UI.
    const decoded = await post(server, '/decode', { payloads: [payloadToJSON(input)] }, { Origin: UI_ORIGIN });
    assert.equal(decoded.status, 200, decoded.json.error);
    assert.equal(decoded.headers.get('access-control-allow-origin'), UI_ORIGIN);
    const plain = decoded.json.payloads?.[0];
    assert.ok(plain?.metadata && plain.data);
    assert.equal(Buffer.from(plain.metadata.encoding ?? '', 'base64').toString(), 'json/plain');
    const json = Buffer.from(plain.data, 'base64').toString('utf8');
    assert.ok(json.includes(MARKER), json);
    assert.equal((JSON.parse(json) as { text: string }).text, TEXT);

    // The Temporal CLI speaks the same codec server protocol as the Web UI.
    const show = (...extra: string[]) =>
      execFileP(findTemporalBinary('temporal'), [
        'workflow',
        'show',
        '--address',
        env.address,
        '--namespace',
        env.namespace ?? 'default',
        '-w',
        workflowId,
        '--detailed',
        ...extra,
      ]);
    assert.ok(!(await show()).stdout.includes(MARKER), 'the plain CLI shows the text');
    assert.ok((await show('--codec-endpoint', server.url)).stdout.includes(MARKER), 'the CLI with the codec server');
  });

  void test('codec server: /encode then /decode round trip, CORS preflight, other origins and bad bodies refused', async () => {
    const original = payloadToJSON(defaultPayloadConverter.toPayload({ phoneHome: `# Blocked\n${MARKER}` }));
    const enc = await post(server, '/api/v1/namespaces/default/encode', { payloads: [original] });
    assert.equal(enc.status, 200, enc.json.error);
    const encrypted = enc.json.payloads?.[0];
    assert.ok(encrypted?.data);
    assert.equal(Buffer.from(encrypted.metadata?.encoding ?? '', 'base64').toString(), ENCODING_ENCRYPTED);
    assert.ok(!Buffer.from(encrypted.data, 'base64').includes(Buffer.from(MARKER)));
    const dec = await post(server, '/decode/', { payloads: [encrypted] });
    assert.deepEqual(dec.json.payloads, [original]);

    const pre = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);

    const evil = await post(server, '/decode', { payloads: [encrypted] }, { Origin: 'http://evil.example' });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    assert.equal(evil.json.payloads, undefined);

    assert.equal((await post(server, '/decode', { nope: 1 })).status, 400);
    assert.equal((await post(server, '/other', { payloads: [] })).status, 404);
    const other = await codecFromEnv(undefined, { [KEYS_ENV]: `someone-else:${randomBytes(32).toString('base64')}` });
    assert.ok(other);
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    assert.ok(foreign);
    const unknown = await post(server, '/decode', { payloads: [payloadToJSON(foreign)] });
    assert.equal(unknown.status, 422);
    assert.match(unknown.json.error ?? '', /key id "someone-else"/);
  });

  void test('the CLI and the controller worker with controller.codec.keyFile: a real send arrives exact, its history holds none of it', async () => {
    const env = theEnv();
    const peer = await addAgent(stack());
    const keyFile = join(stack().dir, 'codec-keys');
    await writeFile(keyFile, `# rotated in\ncli-2:${randomBytes(32).toString('base64')}\ncli-1:${key}\n`, {
      mode: 0o600,
    });
    await chmod(keyFile, 0o600);
    const taskQueue = uniqueQueue('codec-cli');
    const base = makeConfig(stack(), [peer], {}, taskQueue);
    const config = { ...base, controller: { ...base.controller, codec: { keyFile } } };
    const configPath = join(stack().dir, 'codec-peers.yaml');
    await writeFile(configPath, JSON.stringify(config)); // JSON is YAML
    // the worker's own client (pane locks) carries the codec too, as `peer-comms worker` makes it
    const client = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      ...(await codecOptions(config)),
    });
    const { worker, pool } = await createControllerWorker({
      config,
      connection: env.nativeConnection,
      client,
      namespace: env.namespace ?? 'default',
      taskQueue,
      worker: { workflowBundle: await workflowBundle(), shutdownGraceTime: '1 second' },
    });
    const text = `Encrypted at rest, ${MARKER}: summarise the open PRs.`;
    let run: Awaited<ReturnType<typeof cli>>;
    try {
      run = await worker.runUntil(cli(['--config', configPath, 'send', peer.name, text, '--json']));
    } finally {
      await pool.closeAll();
    }
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { outcome: string; workflowId: string };
    assert.equal(out.outcome, 'acked');
    assert.ok(
      (await prompts(peer)).some((p) => p.equals(Buffer.from(text))),
      'the stand-in did not get the exact text',
    );

    const history = await env.client.workflow.getHandle(out.workflowId).fetchHistory();
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    assert.ok(!raw.includes(Buffer.from(MARKER)), 'the directive text is in the stored history');
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.equal(str(input?.metadata?.encoding), ENCODING_ENCRYPTED);
    assert.equal(str(input?.metadata?.['encryption-key-id']), 'cli-2', 'the first key in the file encrypts');
  });

  void test('a via: worker peer and its inbox watcher with the codec: the phone-home reaches the job, its text is nowhere in the history', async () => {
    const s = stack();
    const env = s.env;
    const peer = await addAgent(s, { workMs: 800 });
    const keyFile = join(s.dir, 'codec-keys-pw');
    await writeFile(keyFile, `pw-1:${key}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    const taskQueue = uniqueQueue('codec-pw');
    // a worker peer: no SSH settings, its steps run by `peer-comms worker --peer` over local tmux
    const { host: _h, port: _p, user: _u, privateKey: _k, knownHosts: _n, ...rest } = peer.entry;
    const entry = { ...rest, via: 'worker', worker: { pickupTimeout: '5m' }, jobs: { scanInterval: '1h' } };
    const base = makeConfig(s, [], { [peer.name]: entry }, taskQueue);
    const config = { ...base, controller: { ...base.controller, codec: { keyFile } } };
    const configPath = join(s.dir, 'codec-pw.yaml');
    await writeFile(configPath, JSON.stringify(config));
    const inboxDir = join(peer.dir, 'inbox', peer.name);
    await mkdir(inboxDir, { recursive: true });
    const client = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      ...(await codecOptions(config)),
    });
    const { worker, pool } = await createControllerWorker({
      config,
      connection: env.nativeConnection,
      client,
      namespace: env.namespace ?? 'default',
      taskQueue,
      worker: { workflowBundle: await workflowBundle(), shutdownGraceTime: '1 second' },
    });
    const peerWorker = startCli(
      s,
      ['--config', configPath, 'worker', '--peer', peer.name, '--inbox-interval', '500ms'],
      {
        PEER_COMMS_CODEC_KEYS: '',
        PEER_COMMS_CODEC_KEY_FILE: '',
      },
    );
    const jobId = `job-${peer.name}-codec`;
    const directive = `Measure the thing (${MARKER}-directive).`;
    const phoneHome = `# PHONE-HOME: disk\n\nJob ${jobId}: ${MARKER}-phone-home, the scratch disk is full.\n`;
    try {
      await worker.runUntil(async () => {
        const job = await client.workflow.start('peerJob', {
          taskQueue,
          workflowId: jobId,
          args: [{ peer: peer.name, directive }],
        });
        await waitFor(
          async () => {
            const st = await job.query(statusQuery);
            return st.state === 'watching' && st.lastAck && (st.lastScanAt ?? 0) >= st.lastAck.at;
          },
          { timeoutMs: 60_000, what: `the job to watch (peer worker: ${peerWorker.output()})` },
        );
        await writeFile(join(inboxDir, 'PHONE-HOME-disk.md'), phoneHome);
        const status: JobStatus = await waitFor(
          async () => {
            const st = await job.query(statusQuery);
            return st.state === 'awaiting-resolution' ? st : undefined;
          },
          { timeoutMs: 60_000, what: 'the job to pause on the phone-home' },
        );
        assert.equal(status.current?.source, 'signal', 'the watcher (with the codec) signalled the job');
        assert.equal(status.current.text, phoneHome);
        await job.terminate('test over');
      });
    } finally {
      peerWorker.child.kill('SIGTERM');
      await peerWorker.done;
      await pool.closeAll();
    }
    assert.ok(
      (await prompts(peer)).some((p) => p.toString('utf8').includes(`${MARKER}-directive`)),
      'the agent got the directive',
    );
    const histories: Buffer[] = [];
    // every workflow on this task queue: the job, its send, the pane lock
    const types = new Set<string>();
    for await (const wf of env.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
      types.add(wf.type);
      const h = await env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      histories.push(Buffer.from(temporal.api.history.v1.History.encode(h).finish()));
    }
    assert.deepEqual([...types].sort(), ['paneLock', 'peerJob', 'sendDirective'], 'the workflows looked at');
    for (const raw of histories)
      assert.ok(!raw.includes(Buffer.from(MARKER)), 'a directive or phone-home text is in a stored history');
  });

  void test('peer-comms codec-server: refused (exit 2) when encryption is off or the key file is world-readable; send with a bad key: exit 2, nothing started', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peer-comms-codec-cli-'));
    try {
      const config = join(dir, 'peers.yaml');
      await writeFile(config, 'peers:\n  local:\n    via: local\n');
      const off = await runCliBare(['codec-server', '--port', '0'], {
        cwd: dir,
        env: { PEER_COMMS_CODEC_KEYS: '', PEER_COMMS_CODEC_KEY_FILE: '', PEER_COMMS_CONFIG: config },
      });
      assert.equal(off.code, 2, off.stderr);
      assert.match(off.stderr, /encryption at rest is off/);
      const keyFile = join(dir, 'keys');
      await writeFile(keyFile, `k1:${key}\n`, { mode: 0o644 });
      const open = await runCliBare(['codec-server', '--port', '0'], {
        cwd: dir,
        env: { PEER_COMMS_CODEC_KEYS: '', PEER_COMMS_CODEC_KEY_FILE: keyFile },
      });
      assert.equal(open.code, 2, open.stderr);
      assert.match(open.stderr, /readable or writable by others.*chmod 600/);
      assert.ok(!open.stderr.includes(key), 'the key was printed');
      // a send with a bad key setting: exit 2 before connecting (no server at 127.0.0.1:1 is needed)
      const short = randomBytes(16).toString('base64');
      const send = await runCliBare(['send', 'local', 'hello'], {
        cwd: dir,
        env: { PEER_COMMS_CODEC_KEYS: `k1:${short}`, PEER_COMMS_CONFIG: config },
      });
      assert.equal(send.code, 2, send.stderr);
      assert.match(send.stderr, /PEER_COMMS_CODEC_KEYS: 1 problem\s+entry 1: the key "k1" must be 32 random bytes/);
      assert.ok(!send.stderr.includes(short), 'the key was printed');
      assert.doesNotMatch(send.stderr, /cannot connect/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
