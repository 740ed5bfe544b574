/**
 * Fault-suite helpers: peers whose agent is the exact-byte agent (test/chaos/exact-agent.ts),
 * worker processes that can be SIGKILLed (test/helpers/worker-process.ts), and the results table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { configSchema, type Config } from '../../src/config/schema';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';
import { findTemporalBinary } from '../../src/temporal/cli-binary';
import { classifyScreen, type Classification } from '../../src/tmux/screen';
import type { SshdFixture } from '../helpers/sshd';
import type { Stack } from '../helpers/stack';
import { shQuote, type TmuxServer } from '../helpers/tmux';
import { waitFor } from '../helpers/wait';

export const ROOT = resolve(__dirname, '..', '..');
const TSX = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href;

export interface ExactPeer {
  name: string;
  session: string;
  dir: string;
  log: string;
  tmux: TmuxServer;
  /** The exact command the agent runs with (also the peer's recovery command). */
  command: string;
  /** The peers-file entry. */
  entry: Record<string, unknown>;
}

let peers = 0;

export function exactAgentCommand(log: string, workMs: number): string {
  return [
    process.execPath,
    '--import',
    TSX,
    join(__dirname, 'exact-agent.ts'),
    '--log',
    log,
    '--work-ms',
    String(workMs),
  ]
    .map(shQuote)
    .join(' ');
}

export interface ExactPeerOptions {
  workMs?: number;
  /** Another sshd than the stack's (outage trials take theirs down). */
  sshd?: SshdFixture;
  /** Another tmux server than the stack's (the kill-server trial). */
  tmux?: TmuxServer;
  /** Extra `ack` settings. */
  ack?: Record<string, unknown>;
}

/** A peer whose agent is the exact-byte agent in its own tmux session, reached over SSH; started and idle. */
export async function addExactPeer(stack: Stack, opts: ExactPeerOptions = {}): Promise<ExactPeer> {
  peers++;
  const name = `exact${peers}`;
  const session = `exact${peers}`;
  const dir = join(stack.dir, name);
  await mkdir(dir, { recursive: true });
  const log = join(dir, 'prompts.jsonl');
  const credentialsPath = join(dir, 'credentials.json');
  await writeFile(
    credentialsPath,
    JSON.stringify({
      claudeAiOauth: { accessToken: 'sk-ant-peer-0123456789', expiresAt: Date.now() + 9 * 86_400_000 },
    }),
    { mode: 0o600 },
  );
  const sshd = opts.sshd ?? stack.sshd;
  const tmux = opts.tmux ?? stack.tmux;
  const command = exactAgentCommand(log, opts.workMs ?? 1500);
  const entry: Record<string, unknown> = {
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKey: sshd.privateKeyPath,
    knownHosts: sshd.knownHostsPath,
    tmux: { socket: tmux.socketName, target: `${session}:0` },
    workdir: dir,
    credentialsPath,
    stagingDir: join(dir, 'staging'),
    claudeDir: join(dir, 'claude'),
    agentStateDir: join(dir, 'agent-state'),
    recovery: { method: 'tmux', command, hooks: false, width: 200, height: 50, readyTimeout: '60s' },
    ack: { timeout: '60s', busyWait: '5m', ...opts.ack },
  };
  const peer: ExactPeer = { name, session, dir, log, tmux, command, entry };
  await startExactAgent(peer);
  return peer;
}

export async function startExactAgent(peer: ExactPeer): Promise<void> {
  await peer.tmux.newSession(peer.session, peer.command, { width: 200, height: 50, cwd: peer.dir });
  await waitFor(async () => (await screenOf(peer)).state === 'idle', {
    timeoutMs: 30_000,
    what: `the exact agent in ${peer.session} to show its idle box`,
  });
}

export async function screenOf(peer: ExactPeer): Promise<Classification> {
  return classifyScreen(await peer.tmux.capture(`${peer.session}:0.0`));
}

/** What is in the agent's input box right now ('' when empty; null when no box is on screen). */
export async function boxOf(peer: ExactPeer): Promise<string | null> {
  return (await screenOf(peer)).input;
}

/** The prompts the exact agent logged, as exact bytes. */
export async function logged(peer: ExactPeer): Promise<Buffer[]> {
  let text = '';
  try {
    text = await readFile(peer.log, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Buffer.from((JSON.parse(l) as { b64: string }).b64, 'base64'));
}

export function rawConfig(stack: Stack, list: ExactPeer[], taskQueue = 'unused'): Record<string, unknown> {
  return {
    controller: { credentialsPath: stack.controllerCredentials, auditLog: stack.auditLog, taskQueue },
    peers: Object.fromEntries(list.map((p) => [p.name, p.entry])),
  };
}

export function configOf(stack: Stack, list: ExactPeer[], taskQueue = 'unused'): Config {
  return configSchema.parse(rawConfig(stack, list, taskQueue));
}

export async function writeConfig(stack: Stack, list: ExactPeer[], name: string): Promise<string> {
  const path = join(stack.dir, `${name}.config.json`);
  await writeFile(path, JSON.stringify(rawConfig(stack, list)));
  return path;
}

/** The workflow code bundled once into a file, for the suite's worker processes (WORKER_BUNDLE). */
export async function writeBundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: new DefaultLogger('WARN'),
  });
  const path = join(dir, 'workflow-bundle.js');
  await writeFile(path, code);
  return path;
}

export interface WorkerChild {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<NodeJS.Signals | number | null>;
  output(): string;
}

/** Worker processes started by this suite, killed in the suite's after() whatever happened. */
export const children = new Set<ChildProcess>();

export function startWorkerChild(
  stack: Stack,
  configPath: string,
  taskQueue: string,
  bundle: string,
  killAt?: string,
  address = stack.settings.address,
): WorkerChild {
  const args = [
    '--import',
    TSX,
    join(__dirname, '..', 'helpers', 'worker-process.ts'),
    configPath,
    taskQueue,
    address,
    stack.settings.namespace,
    ...(killAt ? [killAt] : []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
    env: { ...process.env, WORKER_BUNDLE: bundle },
  });
  children.add(child);
  let out = '';
  const exited = new Promise<NodeJS.Signals | number | null>((r) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      r(signal ?? code);
    }),
  );
  const ready = new Promise<void>((res, rej) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('worker ready')) res();
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((how) => rej(new Error(`worker exited (${String(how)}) before it was ready:\n${out}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, exited, output: () => out };
}

/** Activity names that ran more than one attempt, and the last events, from a workflow's history. */
export async function historySummary(handle: WorkflowHandle): Promise<{ retried: string[]; lastEvents: string[] }> {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const names = new Map<string, string>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s && e.eventId) names.set(String(e.eventId), s.activityType?.name ?? '?');
  }
  const retried = events
    .map((e) => e.activityTaskStartedEventAttributes)
    .filter((a) => a && (a.attempt ?? 1) > 1)
    .map((a) => names.get(String(a?.scheduledEventId)) ?? '?');
  const lastEvents = events.slice(-8).map((e) => {
    const kind = Object.keys(e).find((k) => k.endsWith('EventAttributes') && e[k as keyof typeof e]) ?? '?';
    const f = e.activityTaskFailedEventAttributes?.failure ?? e.workflowExecutionFailedEventAttributes?.failure;
    return `${String(e.eventId)} ${kind.replace('EventAttributes', '')}${f ? `: ${f.message ?? ''}` : ''}`;
  });
  return { retried, lastEvents };
}

export interface Row {
  fault: string;
  trials: string;
  outcome: string;
  once: string;
  box: string;
}

export function table(rows: readonly Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| fault | trials | outcome | submitted exactly once | nothing left in the box |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${esc(r.fault)} | ${esc(r.trials)} | ${esc(r.outcome)} | ${esc(r.once)} | ${esc(r.box)} |`),
  ].join('\n');
}

/** A deterministic "random" sequence (a seeded LCG), printed with each trial so it can be run again. */
export function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** Whether something listens on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      done(true);
    });
    sock.once('error', () => done(false));
  });
}

export { freePort } from '../helpers/ports';

export interface DevServer {
  address: string;
  /** SIGKILL (its whole process group) and wait until the port is closed. */
  kill(): Promise<void>;
  /** Start again on the same port and SQLite file. */
  start(): Promise<void>;
}

/**
 * A Temporal CLI dev server of its own (`temporal server start-dev --db-filename F --port P
 * --headless`, our search attributes), started in its own process group so a SIGKILL reaches
 * the server itself even through a launcher shim.
 */
export function devServer(port: number, dbFile: string): DevServer {
  const bin = findTemporalBinary('temporal');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--headless',
    '--db-filename',
    dbFile,
    '--namespace',
    'default',
    '--log-level',
    'error',
    ...ALL_SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=Keyword`]),
  ];
  let child: ChildProcess | undefined;
  return {
    address: `127.0.0.1:${port}`,
    async start() {
      const c = spawn(bin, args, { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
      child = c;
      children.add(c);
      let exited = false;
      c.once('exit', () => {
        exited = true;
        children.delete(c);
      });
      await waitFor(async () => exited || (await portOpen(port)), {
        timeoutMs: 60_000,
        what: `the dev server on ${port}`,
      });
      if (exited) throw new Error(`the dev server on ${port} exited at start`);
    },
    async kill() {
      const c = child;
      if (!c?.pid) return;
      const gone = new Promise<void>((r) =>
        c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r()),
      );
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await gone;
      await waitFor(async () => !(await portOpen(port)), { timeoutMs: 20_000, what: `port ${port} to close` });
    },
  };
}
