/**
 * docker-compose.yml against the official compose-spec JSON Schema (no Docker engine runs in
 * CI), plus what issue 13 asks of the stack: Temporal's current layout (server image, schema
 * and namespace jobs, no auto-setup), pinned versions, health checks, the mounts, and a
 * Dockerfile on a supported Node LTS.
 *
 * The schema is compose-spec's schema/compose-spec.json as shipped by the dclint devDependency
 * (dclint 3.1.0's schemas/compose.schema.json equals compose-spec's file at commit 58a2548,
 * 2025-07-21). Compose interpolates `${VAR:-default}` before it validates; so does this test,
 * with no variables set, as on a fresh machine.
 */
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv, { type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';

const ROOT = join(__dirname, '..', '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `$$`. */
function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    if (bare !== undefined) return env[bare] ?? '';
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])(.*))?$/s.exec(braced ?? '');
    if (!m) throw new Error(`bad interpolation ${whole}`);
    const [, name = '', colon, op, arg = ''] = m;
    const value = env[name];
    const unset = colon ? !value : value === undefined;
    if (op === '-') return unset ? arg : (value ?? '');
    if (op === '?') {
      if (unset) throw new Error(`${name}: ${arg}`);
      return value ?? '';
    }
    if (op === '+') return unset ? '' : arg;
    return value ?? '';
  });
}

function deepInterpolate(node: Json, env: Record<string, string | undefined>): Json {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((n) => deepInterpolate(n, env));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deepInterpolate(v, env)]));
  }
  return node;
}

function loadCompose(text: string): Record<string, Json> {
  // merge: true resolves `<<: *anchor` the way Compose does
  const raw = parse(text, { merge: true }) as Json;
  return deepInterpolate(raw, {}) as Record<string, Json>;
}

function composeValidator(): (doc: unknown) => ErrorObject[] {
  const pkg = require.resolve('dclint/package.json');
  const schema = JSON.parse(readFileSync(join(dirname(pkg), 'schemas', 'compose.schema.json'), 'utf8')) as {
    $schema?: string;
    title?: string;
  };
  assert.equal(schema.title, 'Compose Specification');
  // The file names draft-07 by its https URL, which Ajv does not register; it is draft-07.
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}

const validate = composeValidator();
const text = readFileSync(COMPOSE_FILE, 'utf8');
const compose = loadCompose(text);

function errorsOf(doc: unknown): string[] {
  return validate(doc).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

interface Service {
  image?: string;
  build?: unknown;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  ports?: string[];
  volumes?: {
    type: string;
    source: string;
    target: string;
    read_only?: boolean;
    bind?: { create_host_path?: boolean };
  }[];
  environment?: Record<string, string>;
  entrypoint?: string[];
}
const services = compose.services as unknown as Record<string, Service>;
const service = (name: string): Service => {
  const s = services[name];
  assert.ok(s, `docker-compose.yml has no service "${name}"`);
  return s;
};

describe('docker-compose.yml against the compose-spec schema', () => {
  it('is valid', () => {
    assert.deepEqual(errorsOf(compose), []);
  });

  it('a broken copy is refused, naming where', () => {
    const broken = structuredClone(compose) as { services: Record<string, Record<string, Json>> };
    const temporal = broken.services.temporal!;
    (temporal.depends_on as Record<string, Record<string, Json>>)['temporal-schema']!.condition = 'service_done';
    temporal.healthcheck = { ...(temporal.healthcheck as Record<string, Json>), intervall: '5s' };
    broken.services.worker!.ports = [true];
    (broken.services.worker!.volumes as Record<string, Json>[])[0]!.read_onyl = true;
    const errors = errorsOf(broken);
    assert.ok(
      errors.some((e) => e.startsWith('/services/temporal/depends_on/temporal-schema/condition')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/services/temporal/healthcheck')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/services/worker/ports/0')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/services/worker/volumes/0')),
      errors.join('\n'),
    );
  });

  it('a typo in a top-level key is refused', () => {
    assert.notDeepEqual(errorsOf({ ...compose, servics: {} }), []);
  });

  it('interpolation understands the file, and an unclosed ${ would not pass', () => {
    assert.equal(interpolate('${A:-127.0.0.1}:7233', {}), '127.0.0.1:7233');
    assert.equal(interpolate('${A:-x}', { A: '0.0.0.0' }), '0.0.0.0');
    assert.throws(() => interpolate('${A:?set A}', {}), /set A/);
    assert.ok(!/\$\{/.test(JSON.stringify(compose)), 'an interpolation was left unresolved');
  });
});

describe("the stack follows Temporal's current layout", () => {
  const images = Object.entries(services).flatMap(([name, s]) => (s.image ? [[name, s.image] as const] : []));

  it('no deprecated auto-setup image; every image pinned to an exact version', () => {
    for (const [name, image] of images) {
      assert.ok(!image.includes('auto-setup'), `${name}: ${image}`);
      if (name === 'worker') continue; // built here
      // x.y.z, or x.y where that is the project's own scheme (PostgreSQL 16.15)
      assert.match(image, /:\d+\.\d+(\.\d+)?(-[a-z]+)?$/, `${name}: ${image} is not pinned to a release`);
    }
    const server = service('temporal').image?.split(':')[1];
    assert.equal(service('temporal-schema').image, `temporalio/admin-tools:${server}`);
    assert.equal(service('temporal-namespace').image, `temporalio/admin-tools:${server}`);
  });

  it('schema job, then server, then namespace job, then the worker built from the Dockerfile', () => {
    assert.deepEqual(service('temporal-schema').depends_on, { postgresql: { condition: 'service_healthy' } });
    assert.deepEqual(service('temporal').depends_on, {
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    assert.deepEqual(service('temporal-namespace').depends_on, { temporal: { condition: 'service_healthy' } });
    const worker = service('worker');
    assert.ok(worker.build, 'the worker is built from the Dockerfile');
    assert.equal(worker.depends_on?.temporal?.condition, 'service_healthy');
    assert.equal(worker.depends_on?.['temporal-namespace']?.condition, 'service_completed_successfully');
  });

  it('the jobs run scripts that exist and use temporal-sql-tool and the temporal CLI', () => {
    const script = (name: string): string => {
      const entry = service(name).entrypoint ?? [];
      const path = entry.find((p) => p.startsWith('/peer-comms/'));
      assert.ok(path, `${name}: no /peer-comms/ script in its entrypoint`);
      const file = join(ROOT, 'deploy', 'compose', path.slice('/peer-comms/'.length));
      assert.ok(existsSync(file), file);
      return readFileSync(file, 'utf8');
    };
    const schema = script('temporal-schema');
    for (const step of [' create', 'setup-schema -v 0.0', 'update-schema -d']) assert.ok(schema.includes(step), step);
    const ns = script('temporal-namespace');
    for (const step of ['namespace create', 'search-attribute create']) assert.ok(ns.includes(step), step);
  });

  it('the namespace job creates exactly the search attributes the code uses', () => {
    const listed = (service('temporal-namespace').environment?.PEER_COMMS_SEARCH_ATTRIBUTES ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.toUpperCase())
      .sort();
    const wanted = ALL_SEARCH_ATTRIBUTES.map((a) => `${a.name}=${a.type}`.toUpperCase()).sort();
    assert.deepEqual(listed, wanted);
  });

  it('health checks on PostgreSQL, the server and the UI; the UI on loopback only', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui']) {
      assert.ok(service(name).healthcheck?.test?.length, `${name} has no health check`);
    }
    assert.ok(service('temporal-ui').healthcheck?.test?.join(' ').includes('/healthz'));
    for (const port of service('temporal-ui').ports ?? []) assert.match(port, /^127\.0\.0\.1:/);
    assert.deepEqual(service('temporal').ports, ['127.0.0.1:7233:7233']);
  });

  it('mounts the SSH agent socket, a keys folder and the config folder (read-only), never creating a missing source', () => {
    const worker = service('worker');
    const mounts = new Map((worker.volumes ?? []).map((v) => [v.target, v]));
    for (const target of ['/home/node/.ssh', '/home/node/.config/peer-comms', '/home/node/.claude/.credentials.json']) {
      assert.equal(mounts.get(target)?.read_only, true, `${target} is not mounted read-only`);
    }
    assert.ok(mounts.has('/run/peer-comms/ssh-agent.sock'));
    for (const m of mounts.values()) {
      if (m.type === 'bind') assert.equal(m.bind?.create_host_path, false, `${m.target}: create_host_path`);
    }
    assert.equal(worker.environment?.SSH_AUTH_SOCK, '/run/peer-comms/ssh-agent.sock');
    assert.equal(worker.environment?.PEER_COMMS_CONFIG, '/home/node/.config/peer-comms/peers.yaml');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('is on Node 22 or 24 (LTS past 2026-11-30), multi-stage', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)\.\d+\.\d+-\S+$/m.exec(dockerfile);
    assert.ok(image, 'ARG NODE_IMAGE=node:<x.y.z>-<variant> not found');
    assert.ok(['22', '24'].includes(image[1]!), `node ${image[1]}`);
    assert.equal(dockerfile.match(/^FROM /gm)?.length, 2);
  });

  it('installs production dependencies only, runs as a non-root user under tini', () => {
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "dist\/cli\/main\.js"\]$/m);
  });
});
