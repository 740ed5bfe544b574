/**
 * The end-to-end stack: a real Temporal dev server, a real sshd on 127.0.0.1, a real tmux
 * server on a private socket, and stand-in agents in its sessions; peers configured to reach
 * them over SSH exactly as a user's peers.yaml would. Everything is torn down in stop().
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { configSchema, type Config } from '../../src/config/schema';
import { agentFiles, agentSettings, hookScriptSource } from '../../src/receipts/hook';
import { transcriptDir } from '../../src/receipts/records';
import type { TemporalSettings } from '../../src/temporal/connection';
import { createControllerWorker } from '../../src/workers/controller';
import type { PeerShellPool } from '../../src/peer-access/pool';
import { startSshd, type SshdFixture } from './sshd';
import { startDevEnv, uniqueQueue, workflowBundle } from './temporal';
import { standinCommand, TmuxServer, type StandinFlags } from './tmux';
import { waitFor } from './wait';

export interface Stack {
  env: TestWorkflowEnvironment;
  sshd: SshdFixture;
  tmux: TmuxServer;
  dir: string;
  controllerCredentials: string;
  auditLog: string;
  settings: TemporalSettings;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** PATH of commands the peers run over SSH (sshd SetEnv), e.g. with fake tools first. */
  peerPath?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'pc-e2e-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const env = await startDevEnv();
    cleanups.push(() => env.teardown());
    const sshd = await startSshd(opts.peerPath ? { extraConfig: [`SetEnv PATH=${opts.peerPath}`] } : {});
    cleanups.push(() => sshd.stop());
    const tmux = await TmuxServer.start('e2e');
    cleanups.push(() => tmux.kill());
    const controllerCredentials = join(dir, 'controller-credentials.json');
    await writeCredentials(controllerCredentials, Date.now() + 10 * 86_400_000, 'sk-ant-controller-SECRET-0123456789');
    return {
      env,
      sshd,
      tmux,
      dir,
      controllerCredentials,
      auditLog: join(dir, 'audit.jsonl'),
      settings: { address: env.address, namespace: env.namespace ?? 'default' },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function writeCredentials(path: string, expiresAt: number, token: string): Promise<void> {
  await writeFile(
    path,
    JSON.stringify({
      claudeAiOauth: { accessToken: token, refreshToken: `${token}-refresh`, expiresAt, scopes: ['user:inference'] },
    }),
    { mode: 0o600 },
  );
}

export interface AgentPeer {
  name: string;
  session: string;
  dir: string;
  promptLog: string;
  credentialsPath: string;
  flags: StandinFlags;
  /** The receipt-hook settings file the agent is started with (null: started without hooks, as by hand). */
  settings: string | null;
  /** The hook event log peer-comms reads receipts from. */
  events: string;
  /** The peers-file entry (before defaults). */
  entry: Record<string, unknown>;
}

let agentCount = 0;

/**
 * A peer whose agent is a stand-in in its own tmux session, reached over SSH.
 * `start: false` leaves the session dead (recovery tests).
 */
export async function addAgent(
  stack: Stack,
  flags: StandinFlags = {},
  opts: {
    start?: boolean;
    peerExpiresAt?: number;
    entry?: Record<string, unknown>;
    inbox?: boolean;
    /** Start the agent with peer-comms' receipt hooks (default), as recovery would; false: as if started by hand. */
    hooks?: boolean;
  } = {},
): Promise<AgentPeer> {
  agentCount++;
  const name = `peer${agentCount}`;
  const session = `agent${agentCount}`;
  const dir = join(stack.dir, name);
  await mkdir(dir, { recursive: true });
  const promptLog = join(dir, 'prompts.jsonl');
  const credentialsPath = join(dir, 'credentials.json');
  await writeCredentials(
    credentialsPath,
    opts.peerExpiresAt ?? Date.now() + 9 * 86_400_000,
    'sk-ant-peer-OLD-0123456789',
  );
  // with inbox: the stand-in writes phone-homes where the peers file says the inbox is (inbox/<peer name>)
  // the stand-in's transcript goes where the peer's claudeDir says, as Claude Code's would
  const claudeDir = join(dir, 'claude');
  const fullFlags: StandinFlags = {
    workMs: 1500,
    transcriptDir: transcriptDir(claudeDir, dir),
    ...flags,
    log: promptLog,
    ...(opts.inbox ? { inbox: join(dir, 'inbox', name) } : {}),
  };
  const command = standinCommand(fullFlags);
  const entry: Record<string, unknown> = {
    host: stack.sshd.host,
    port: stack.sshd.port,
    user: stack.sshd.user,
    privateKey: stack.sshd.privateKeyPath,
    knownHosts: stack.sshd.knownHostsPath,
    tmux: { socket: stack.tmux.socketName, target: `${session}:0` },
    workdir: dir,
    credentialsPath,
    stagingDir: join(dir, 'staging'),
    recovery: { method: 'tmux', command, width: 200, height: 50, readyTimeout: '30s' },
    ack: { timeout: '20s', busyWait: '60s' },
    ...opts.entry,
  };
  const files = agentFiles(join(dir, 'agent-state'), stack.tmux.socketName, session);
  entry.agentStateDir ??= files.dir;
  entry.claudeDir ??= claudeDir;
  let settings: string | null = null;
  if (opts.hooks !== false) {
    // what recoverSession installs on the peer before it starts the agent
    await mkdir(files.dir, { recursive: true, mode: 0o700 });
    await writeFile(files.hook, hookScriptSource(), { mode: 0o600 });
    await writeFile(files.settings, agentSettings({ node: process.execPath, ...files }), { mode: 0o600 });
    settings = files.settings;
  }
  const peer: AgentPeer = {
    name,
    session,
    dir,
    promptLog,
    credentialsPath,
    flags: fullFlags,
    settings,
    events: files.events,
    entry,
  };
  if (opts.start !== false) await startAgent(stack, peer);
  return peer;
}

/** Starts the stand-in in the peer's session and waits for its idle prompt (or dialog). */
export async function startAgent(stack: Stack, peer: AgentPeer): Promise<void> {
  const flags = peer.settings ? { ...peer.flags, settings: peer.settings } : peer.flags;
  await stack.tmux.newSession(peer.session, standinCommand(flags), { width: 200, height: 50, cwd: peer.dir });
  await waitFor(
    async () => {
      const screen = await stack.tmux.capture(`${peer.session}:0.0`);
      return /❯/.test(screen) || /trust this folder/.test(screen);
    },
    { timeoutMs: 20_000, what: `stand-in agent in ${peer.session} to show its prompt` },
  );
}

export function makeConfig(
  stack: Stack,
  peers: AgentPeer[],
  extra: Record<string, Record<string, unknown>> = {},
  taskQueue = 'unused',
): Config {
  return configSchema.parse({
    controller: { credentialsPath: stack.controllerCredentials, auditLog: stack.auditLog, taskQueue },
    peers: { ...Object.fromEntries(peers.map((p) => [p.name, p.entry])), ...extra },
  });
}

/** Runs fn while a controller worker for this config serves a fresh task queue. */
export async function withWorker<T>(
  stack: Stack,
  config: Config,
  fn: (taskQueue: string, worker: Worker) => Promise<T>,
  taskQueue = uniqueQueue('e2e'),
): Promise<T> {
  const { worker, pool }: { worker: Worker; pool: PeerShellPool } = await createControllerWorker({
    config,
    connection: stack.env.nativeConnection,
    client: stack.env.client,
    namespace: stack.settings.namespace,
    taskQueue,
    worker: { workflowBundle: await workflowBundle(), shutdownGraceTime: '1 second' },
  });
  try {
    return await worker.runUntil(fn(taskQueue, worker));
  } finally {
    await pool.closeAll();
  }
}

/** The prompts the stand-in received, as exact bytes. */
export async function prompts(peer: AgentPeer): Promise<Buffer[]> {
  let text = '';
  try {
    text = await readFile(peer.promptLog, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { b64?: string })
    .filter((e) => typeof e.b64 === 'string')
    .map((e) => Buffer.from(e.b64 as string, 'base64'));
}

/** Lines the stand-in logged for text typed into a dialog (must stay empty). */
export async function dialogInput(peer: AgentPeer): Promise<string[]> {
  try {
    return (await readFile(peer.promptLog, 'utf8')).split('\n').filter((l) => l.includes('"dialogInput"'));
  } catch {
    return [];
  }
}
