/** Runs the `peer-comms` CLI from source (through tsx) against a test stack's Temporal server. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before } from 'node:test';
import { startStack, type Stack, type StackOptions } from './stack';

const ROOT = join(__dirname, '..', '..');
const TSX = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(stack: Stack, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), ...args],
      {
        cwd: stack.dir,
        env: { ...process.env, TEMPORAL_ADDRESS: stack.settings.address, TEMPORAL_NAMESPACE: stack.settings.namespace },
        timeout: 120_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Runs the CLI with no test stack: for what must work with no Temporal server at all. The
 * server address points at a closed port (127.0.0.1:1), so anything that tried to connect
 * would fail with exit 5 and "cannot connect", never start a workflow.
 */
export function runCliBare(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), ...args],
      {
        cwd: opts.cwd,
        env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_NAMESPACE: 'default', ...opts.env },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Runs the CLI with its stdout a pipe that this side closes as soon as the first bytes arrive,
 * as `peer-comms … | head -c1` would: the CLI's later writes meet a closed pipe (EPIPE).
 */
export function runCliClosingStdout(args: string[], opts: { cwd: string }): Promise<CliRun & { firstChunk: string }> {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: opts.cwd,
    env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let firstChunk = '';
  let stderr = '';
  child.stdout?.once('data', (b: Buffer) => {
    firstChunk = b.toString('utf8');
    child.stdout?.destroy();
  });
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  return new Promise((resolve) => {
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout: firstChunk, stderr, firstChunk }),
    );
  });
}

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  done: Promise<CliRun>;
}

/** Starts the CLI and returns at once, for a test that watches its output while it runs. */
export function startCli(stack: Stack, args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: stack.dir,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack.settings.address,
      TEMPORAL_NAMESPACE: stack.settings.namespace,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
  return { child, output: () => stdout + stderr, done };
}

/**
 * One e2e stack for this test file (started before its first test, stopped after its last) and
 * a CLI runner against it: `const { stack, cli } = stackPerFile();`.
 */
export function stackPerFile(opts: StackOptions = {}): {
  stack: () => Stack;
  cli: (args: string[]) => Promise<CliRun>;
} {
  let current: Stack | undefined;
  before(async () => {
    current = await startStack(opts);
  });
  after(async () => {
    await current?.stop();
  });
  const stack = (): Stack => {
    if (!current) throw new Error('the e2e stack did not start');
    return current;
  };
  return { stack, cli: (args) => runCli(stack(), args) };
}
