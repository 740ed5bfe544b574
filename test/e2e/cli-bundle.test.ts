/**
 * The built CLI's fast start (run `npm run build` first): `send` through dist/cli/main.js runs
 * from the one-file bundle (scripts/bundle-cli.mjs) and behaves as the program it was bundled
 * from (dist/cli/main-all.js): the same ack, the same --json, the same refusal with exit 2.
 * Every other command goes to main-all.js.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stackPerFile } from '../helpers/cli';
import { addAgent, makeConfig, withWorker, type AgentPeer } from '../helpers/stack';
import { uniqueQueue } from '../helpers/temporal';

const DIST = join(__dirname, '..', '..', 'dist', 'cli');
const TRACER = join(__dirname, '..', '..', 'bench', 'cli-trace.mjs');
const { stack } = stackPerFile();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Files loaded through require, by package (bench/cli-trace.mjs). */
  modules: Record<string, { files: number }>;
}

function built(script: 'main.js' | 'main-all.js', args: string[]): Promise<Run> {
  const trace = join(stack().dir, `trace-${Date.now()}-${Math.random()}.json`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TRACER, join(DIST, script), ...args],
      {
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: stack().settings.address,
          TEMPORAL_NAMESPACE: stack().settings.namespace,
          PEER_COMMS_TRACE_FILE: trace,
        },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        const modules = existsSync(trace) ? (JSON.parse(readFileSync(trace, 'utf8')) as Run).modules : {};
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, modules });
      },
    );
  });
}

const files = (r: Run): number => Object.values(r.modules).reduce((n, m) => n + m.files, 0);

async function configFile(peers: AgentPeer[], taskQueue: string): Promise<string> {
  const path = join(stack().dir, `peers-${taskQueue}.yaml`);
  await writeFile(path, JSON.stringify(makeConfig(stack(), peers, {}, taskQueue)));
  return path;
}

describe('the built CLI: send from the bundle', () => {
  it('the build made the bundle and its code cache', () => {
    assert.ok(existsSync(join(DIST, 'send-bundle.js')), 'run npm run build first');
    assert.ok(existsSync(join(DIST, 'send-bundle.js.cache')));
    assert.ok(existsSync(join(DIST, 'main-all.js')));
  });

  it('send acks from the bundle, loading a handful of files instead of hundreds', async () => {
    const peer = await addAgent(stack());
    const tq = uniqueQueue('bundle');
    const cfg = await configFile([peer], tq);
    const [fast, json]: [Run, Run] = await withWorker(
      stack(),
      makeConfig(stack(), [peer], {}, tq),
      async (): Promise<[Run, Run]> => [
        await built('main.js', ['--config', cfg, 'send', peer.name, 'from the bundle']),
        await built('main.js', ['--config', cfg, 'send', peer.name, 'from the bundle, json', '--json']),
      ],
      tq,
    );
    assert.equal(fast.code, 0, fast.stderr);
    assert.match(fast.stdout, new RegExp(`^acked: ${peer.name} received it and is working on it`));
    for (const step of ['preflight', 'deliver', 'awaitAck']) assert.match(fast.stderr, new RegExp(step));
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout) as { ok: boolean; outcome: string; workflowId: string };
    assert.equal(out.ok, true);
    assert.equal(out.outcome, 'acked');
    assert.match(out.workflowId, new RegExp(`^send-${peer.name}-`));
    // the bundle: our entry and the bundle file, no package's own files
    assert.ok(files(fast) < 20, JSON.stringify(fast.modules));
  });

  it('a refused send says the same and exits 2 from the bundle as from the program', async () => {
    const peer = await addAgent(stack(), {}, { start: false });
    const cfg = await configFile([peer], uniqueQueue('bundle'));
    for (const args of [
      ['--config', cfg, 'send', 'nobody', 'hi'],
      ['--config', cfg, 'send', 'nobody', 'hi', '--json'],
      ['--config', cfg, 'send', peer.name, '--light', '--heavy', 'hi'],
    ]) {
      const [fast, program] = [await built('main.js', args), await built('main-all.js', args)];
      assert.equal(fast.code, 2, fast.stderr);
      assert.deepEqual([fast.code, fast.stdout, fast.stderr], [program.code, program.stdout, program.stderr]);
    }
  });

  it('other commands run the program as compiled', async () => {
    const r = await built('main.js', ['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: peer-comms/);
    assert.ok(files(r) > 20, 'main-all.js and its command modules');
  });
});
