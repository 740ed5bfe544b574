/**
 * The built CLI (dist/cli/main.js; run `npm run build` first) when Temporal cannot be reached,
 * and --json for every error: a closed port on 127.0.0.1 fails with exit 5 naming the address,
 * the namespace and `peer-comms dev`; a port that answers but speaks no gRPC says so with a TLS
 * hint; with --json each failure (bad input, config, unreachable, a command's own failure) is one
 * JSON object on stdout. Elapsed times are reported as diagnostics, never asserted (bench/ has
 * timing goals; this machine's load varies).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

const MAIN = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

let dir: string;
let cfg: string;
let closedAddress: string;

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      {
        cwd: dir,
        env: { ...process.env, TEMPORAL_ADDRESS: closedAddress, TEMPORAL_NAMESPACE: 'errs-ns', ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          stdout,
          stderr,
          ms: Math.round(performance.now() - t0),
        }),
    );
  });
}

interface JsonError {
  ok: false;
  error: { type: string; message: string; exit: number; hint?: string };
}

/** stdout is exactly one JSON object, an error with the run's exit code. */
function jsonError(r: Run): JsonError['error'] {
  const out = JSON.parse(r.stdout) as JsonError;
  assert.equal(out.ok, false, r.stdout);
  assert.equal(out.error.exit, r.code, r.stdout);
  assert.equal(typeof out.error.message, 'string');
  return out.error;
}

/** A port on 127.0.0.1 that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peer-comms-cli-errors-'));
  cfg = join(dir, 'peers.yaml');
  await writeFile(cfg, 'peers:\n  loc:\n    via: local\n');
  closedAddress = `127.0.0.1:${await closedPort()}`;
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const note = (t: TestContext, what: string, r: Run): void => t.diagnostic(`${what}: exit ${r.code} in ${r.ms} ms`);

describe('Temporal unreachable: exit 5, the address, the namespace, what to do', () => {
  it('a closed port: job list, plain and --json', async (t) => {
    const plain = await run(['-c', cfg, 'job', 'list']);
    note(t, 'job list, closed port', plain);
    assert.equal(plain.code, 5, plain.stderr);
    assert.equal(plain.stdout, '');
    assert.match(plain.stderr, new RegExp(`cannot connect to Temporal at ${closedAddress} \\(namespace errs-ns\\)`));
    assert.match(plain.stderr, /connection refused.*peer-comms dev.*TEMPORAL_ADDRESS/);
    assert.doesNotMatch(plain.stderr, /^\s+at /m, 'a stack trace was printed');

    const json = await run(['-c', cfg, 'job', 'list', '--json']);
    note(t, 'job list --json, closed port', json);
    assert.equal(json.code, 5, json.stderr);
    const e = jsonError(json);
    assert.equal(e.type, 'TemporalUnreachable');
    assert.match(e.message, new RegExp(`${closedAddress} \\(namespace errs-ns\\)`));
    assert.match(e.hint ?? '', /peer-comms dev/);
  });

  it('a closed port: send --json (the text passes the gate, then the connect fails)', async (t) => {
    const r = await run(['-c', cfg, 'send', 'loc', 'hello', '--json']);
    note(t, 'send --json, closed port', r);
    assert.equal(r.code, 5, r.stderr);
    assert.equal(jsonError(r).type, 'TemporalUnreachable');
  });

  it('an unknown host: exit 5, "unknown host"', async (t) => {
    const r = await run(['-c', cfg, 'job', 'list', '--json'], { TEMPORAL_ADDRESS: 'no-such-host.invalid:7233' });
    note(t, 'job list --json, unknown host', r);
    assert.equal(r.code, 5, r.stderr);
    assert.match(jsonError(r).message, /no-such-host\.invalid:7233 .*unknown host|could not be resolved/);
  });

  it('a port that answers but speaks no gRPC: exit 5 and the TLS hint, either way round', async (t) => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const plain = await run(['-c', cfg, 'job', 'list', '--json'], { TEMPORAL_ADDRESS: address });
      note(t, 'job list --json, silent port', plain);
      assert.equal(plain.code, 5, plain.stderr);
      assert.match(jsonError(plain).hint ?? '', /the port answers.*TEMPORAL_TLS=true/);

      const tls = await run(['-c', cfg, 'job', 'list'], { TEMPORAL_ADDRESS: address, TEMPORAL_TLS: 'true' });
      note(t, 'job list with TLS, silent port', tls);
      assert.equal(tls.code, 5, tls.stderr);
      assert.match(tls.stderr, new RegExp(`cannot connect to Temporal at ${address} .*turn TLS off`));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('--json is honoured for every error', () => {
  it('a parse error (unknown option): exit 2, one JSON object', async () => {
    const r = await run(['-c', cfg, 'job', 'list', '--json', '--bogus']);
    assert.equal(r.code, 2, r.stderr);
    const e = jsonError(r);
    assert.equal(e.type, 'UsageError');
    assert.match(e.message, /unknown option '--bogus'/);
  });

  it('a peer not in the config: exit 2, naming the file', async () => {
    const r = await run(['-c', cfg, 'send', 'nosuch', 'hello', '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(jsonError(r).message, /unknown peer "nosuch"/);
  });

  it('a config file that is not there: exit 2, ConfigError', async () => {
    const r = await run(['-c', join(dir, 'missing.yaml'), 'peers', '--json']);
    assert.equal(r.code, 2, r.stderr);
    const e = jsonError(r);
    assert.equal(e.type, 'ConfigError');
    assert.match(e.message, /missing\.yaml/);
  });

  it('without --json nothing is printed on stdout for an error', async () => {
    const r = await run(['-c', cfg, 'send', 'nosuch', 'hello']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /unknown peer "nosuch"/);
  });
});
