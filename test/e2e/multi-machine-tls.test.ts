/**
 * The multi-machine walkthrough of docs/multi-machine.md on loopback aliases: the controller is
 * `peer-comms dev --ip 127.0.0.2 --tls-dir <certs>` (the dev server's plaintext frontend on
 * 127.0.0.1, the mutual-TLS listener on 127.0.0.2), the certificates come from `peer-comms
 * certs`, and the peer worker is `peer-comms worker --peer <name>` connecting to 127.0.0.2
 * over TLS with its client certificate (TEMPORAL_TLS_* as the doc sets them). A send from the
 * controller reaches the stand-in agent through it. A worker without a client certificate is
 * refused with a readable error, and the controller says it refused one.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { peerTaskQueue } from '../../src/contracts/route';
import { findTemporalBinary } from '../../src/temporal/cli-binary';
import { portOpen } from '../../src/temporal/dev-server';
import { runCliBare, startCli, type CliProcess } from '../helpers/cli';
import { addAgent, makeConfig, prompts, writeCredentials, type AgentPeer, type Stack } from '../helpers/stack';
import type { SshdFixture } from '../helpers/sshd';
import { uniqueQueue } from '../helpers/temporal';
import { TmuxServer } from '../helpers/tmux';
import { waitFor } from '../helpers/wait';
import { freePort } from '../helpers/ports';

const ROOT = join(__dirname, '..', '..');
const TSX = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href;
const PEER_IP = '127.0.0.2';

/** A port free on 127.0.0.1 and 127.0.0.2 whose UI port (+1000) is free too. */
async function freeServerPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port > 0 && port < 64000 && !(await portOpen(port + 1000)) && !(await portOpen(port, PEER_IP))) return port;
  }
}

let dir = '';
let tmux: TmuxServer | undefined;
let controller: ChildProcess | undefined;
let controllerOutput = '';
const running: CliProcess[] = [];
let stack: Stack | undefined;
let port = 0;

/**
 * What the stack helpers need for a peer that is reached only through its own worker: a
 * folder, tmux for the stand-in agent, the controller's files. No SSH (the entry's SSH fields
 * are dropped below) and no Temporal of the helpers' own: the controller is `peer-comms dev`.
 */
function workerStack(): Stack {
  if (!stack) throw new Error('the test setup did not finish');
  return stack;
}

function workerEntry(peer: AgentPeer): Record<string, unknown> {
  const { host: _h, port: _p, user: _u, privateKey: _k, knownHosts: _n, ...rest } = peer.entry;
  return { ...rest, via: 'worker', worker: { pickupTimeout: '5m' } };
}

function tlsEnv(certs: string, client: string | undefined): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: `${PEER_IP}:${port}`,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(certs, 'ca.pem'),
    ...(client
      ? {
          TEMPORAL_TLS_CLIENT_CERT_PATH: join(certs, `client-${client}.pem`),
          TEMPORAL_TLS_CLIENT_KEY_PATH: join(certs, `client-${client}-key.pem`),
        }
      : { TEMPORAL_TLS: 'true' }),
  };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-mm-'));
  tmux = await TmuxServer.start('mm');
  port = await freeServerPort();
  const controllerCredentials = join(dir, 'controller-credentials.json');
  await writeCredentials(controllerCredentials, Date.now() + 10 * 86_400_000, 'sk-ant-controller-SECRET-0123456789');
  // addAgent writes SSH fields into the entry; workerEntry drops them, so none of these is used.
  const noSsh = { host: '127.0.0.1', port: 1, user: 'unused', privateKeyPath: '', knownHostsPath: '' };
  stack = {
    dir,
    tmux,
    sshd: noSsh as unknown as SshdFixture,
    controllerCredentials,
    auditLog: join(dir, 'audit.jsonl'),
    settings: { address: `127.0.0.1:${port}`, namespace: 'default' },
  } as Stack;
});

after(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  const pid = controller?.pid;
  if (controller && pid && controller.exitCode === null) {
    const exited = new Promise((r) => controller?.once('exit', r));
    controller.kill('SIGTERM'); // dev stops its worker, the TLS listener and the dev server
    const timer = setTimeout(() => controller?.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  // whatever is left of its process group (a dev server whose parent died): none after a clean stop
  if (pid) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is gone
    }
  }
  await tmux?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

void describe('multi-machine: controller and a peer worker over mutual TLS', () => {
  it('a peer worker with its client certificate serves the send over TLS; one without is refused', async () => {
    const s = workerStack();
    const certs = join(dir, 'tls');
    const peer = await addAgent(s, { workMs: 800 });

    // 1. certificates, with the documented command
    const made = await runCliBare(
      ['certs', '--dir', certs, '--server', `localhost,${PEER_IP}`, '--client', peer.name],
      {
        cwd: dir,
      },
    );
    assert.equal(made.code, 0, made.stdout + made.stderr);
    for (const key of ['ca-key.pem', 'server-key.pem', `client-${peer.name}-key.pem`])
      assert.equal((await stat(join(certs, key))).mode & 0o777, 0o600, `${key} is 0600`);

    // 2. the controller: dev bound for the peers on 127.0.0.2 with TLS, its worker, the config
    const tq = uniqueQueue('mm');
    const cfgFile = join(dir, 'peers.json');
    await writeFile(cfgFile, JSON.stringify(makeConfig(s, [], { [peer.name]: workerEntry(peer) }, tq)));
    const args = ['--config', cfgFile, 'dev', '--no-download', '--port', String(port), '--ip', PEER_IP];
    controller = spawn(
      process.execPath,
      ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), ...args, '--tls-dir', certs],
      {
        cwd: dir,
        env: {
          ...process.env,
          TEMPORAL_CLI_PATH: findTemporalBinary('temporal'),
          XDG_STATE_HOME: join(dir, 'state'),
          TEMPORAL_NAMESPACE: 'default',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group: after() can end the dev server with it if the test fails
      },
    );
    controller.stdout?.on('data', (b: Buffer) => (controllerOutput += b.toString('utf8')));
    controller.stderr?.on('data', (b: Buffer) => (controllerOutput += b.toString('utf8')));
    await waitFor(() => /worker: 1 peer\(s\)/.test(controllerOutput) || controller?.exitCode !== null, {
      timeoutMs: 120_000,
      what: 'peer-comms dev to start its worker',
    });
    assert.equal(controller.exitCode, null, controllerOutput);
    assert.match(controllerOutput, new RegExp(`Peer workers: ${PEER_IP.replace(/\./g, '\\.')}:${port} \\(mutual TLS`));
    // the plaintext frontend and the Web UI are on 127.0.0.1 only
    assert.equal(await portOpen(port, '127.0.0.3'), false, 'nothing listens on other addresses');
    assert.equal(await portOpen(port + 1000, PEER_IP), false, 'the Web UI is not on the peer address');

    // 3. a worker without a client certificate: refused, readably, and the controller says so
    const refused = startCli(s, ['--config', cfgFile, 'worker', '--peer', peer.name], tlsEnv(certs, undefined));
    running.push(refused);
    const r = await refused.done;
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`${PEER_IP.replace(/\./g, '\\.')}:${port}`), r.stderr);
    assert.match(r.stderr, /certificate|tls|handshake/i, r.stderr);
    await waitFor(
      () => /TLS: refused a connection from 127\.0\.0\.1: it showed no client certificate/.test(controllerOutput),
      {
        timeoutMs: 10_000,
        what: 'the controller to log the refused TLS client',
      },
    );

    // 4. the peer worker with its certificate, and a send from the controller through it
    const worker = startCli(s, ['--config', cfgFile, 'worker', '--peer', peer.name], tlsEnv(certs, peer.name));
    running.push(worker);
    await waitFor(
      () => worker.output().includes(`task queue "${peerTaskQueue(tq, peer.name)}"`) || worker.child.exitCode !== null,
      {
        timeoutMs: 60_000,
        what: 'the peer worker to start',
      },
    );
    assert.equal(worker.child.exitCode, null, worker.output());
    assert.match(worker.output(), new RegExp(`on ${PEER_IP.replace(/\./g, '\\.')}:${port}/default`));
    const text = 'over TLS from the controller';
    const send = startCli(s, ['--config', cfgFile, 'send', peer.name, text]);
    running.push(send);
    const res = await send.done;
    assert.equal(res.code, 0, `${res.stdout}${res.stderr}\n--- peer worker:\n${worker.output()}`);
    assert.match(res.stdout, /acked/);
    assert.deepEqual(
      (await prompts(peer)).map((b) => b.toString('utf8')),
      [text],
    );
    worker.child.kill('SIGTERM');
    assert.equal((await worker.done).code, 0, worker.output());
  });
});
