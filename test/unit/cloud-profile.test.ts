/**
 * examples/cloud/temporal.toml: both profiles load through @temporalio/envconfig in strict mode
 * (no key the SDK does not know), give the connection options the docs promise, link to the
 * Cloud UI, and the API key (from TEMPORAL_API_KEY or the profile) is among the values the
 * worker's logs mask.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadClientConfig, loadClientConfigProfile, loadClientConnectConfig } from '@temporalio/envconfig';
import { secretsToMask } from '../../src/temporal/runtime';
import { workflowLink } from '../../src/temporal/ui-link';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'cloud', 'temporal.toml');
const KEY = 'tmprl-example-key-0123456789abcdef';

describe('examples/cloud/temporal.toml', () => {
  it('has only keys the SDK knows (strict load) and the two profiles', () => {
    const cfg = loadClientConfig({ configSource: { path: EXAMPLE }, configFileStrict: true });
    assert.deepEqual(Object.keys(cfg.profiles).sort(), ['cloud-apikey', 'cloud-mtls']);
  });

  it('API key profile: the regional endpoint, TLS on, the key from TEMPORAL_API_KEY', () => {
    const env = { TEMPORAL_API_KEY: KEY };
    const cfg = loadClientConnectConfig({
      profile: 'cloud-apikey',
      configSource: { path: EXAMPLE },
      overrideEnvVars: env,
    });
    assert.equal(cfg.connectionOptions.address, 'us-east-1.aws.api.temporal.io:7233');
    assert.equal(cfg.namespace, 'peers.a1b2c');
    assert.equal(cfg.connectionOptions.apiKey, KEY);
    assert.equal(cfg.connectionOptions.tls, true);
    assert.equal(
      workflowLink({ address: cfg.connectionOptions.address ?? '', namespace: cfg.namespace ?? '' }, 'send-x', {}),
      'https://cloud.temporal.io/namespaces/peers.a1b2c/workflows/send-x',
    );
  });

  it('mTLS profile: the namespace endpoint and the client certificate paths', () => {
    const p = loadClientConfigProfile({ profile: 'cloud-mtls', configSource: { path: EXAMPLE }, overrideEnvVars: {} });
    assert.equal(p.address, 'peers.a1b2c.tmprl.cloud:7233');
    assert.equal(p.namespace, 'peers.a1b2c');
    assert.equal(p.apiKey, undefined);
    assert.deepEqual(p.tls?.clientCert, { path: '/etc/peer-comms/tls/client.pem' });
    assert.deepEqual(p.tls?.clientKey, { path: '/etc/peer-comms/tls/client.key' });
    assert.equal(
      workflowLink({ address: p.address ?? '', namespace: p.namespace ?? '' }, 'job-x', {}),
      'https://cloud.temporal.io/namespaces/peers.a1b2c/workflows/job-x',
    );
  });

  it('the worker masks the API key, whether it comes from the environment or from a profile', async () => {
    assert.deepEqual(secretsToMask({ TEMPORAL_API_KEY: KEY, TEMPORAL_CONFIG_FILE: EXAMPLE }), [KEY, KEY]);
    const dir = await mkdtemp(join(tmpdir(), 'pc-cloud-'));
    try {
      const file = join(dir, 'temporal.toml');
      await writeFile(file, `[profile.default]\naddress = "x.y.tmprl.cloud:7233"\napi_key = "${KEY}"\n`, {
        mode: 0o600,
      });
      assert.deepEqual(secretsToMask({ TEMPORAL_CONFIG_FILE: file }), [KEY]);
      assert.deepEqual(secretsToMask({ TEMPORAL_CONFIG_FILE: join(dir, 'none.toml') }), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
