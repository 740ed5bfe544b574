/** The Web UI link for every address form: dev server, self-hosted, Cloud (mTLS and API key), overrides. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load';
import { workflowUrl } from '../../src/temporal/connection';
import { isCloudAddress, splitAddress, uiBaseUrl, workflowLink } from '../../src/temporal/ui-link';

const noEnv = {};
const link = (address: string, namespace = 'default', uiUrl?: string, env: NodeJS.ProcessEnv = noEnv) =>
  workflowLink({ address, namespace, uiUrl }, 'send-peer1-abc', env);

describe('Web UI links', () => {
  it('dev server on loopback: the UI beside it (port + 1000)', () => {
    assert.equal(link('127.0.0.1:7233'), 'http://127.0.0.1:8233/namespaces/default/workflows/send-peer1-abc');
    assert.equal(link('localhost:7233'), 'http://localhost:8233/namespaces/default/workflows/send-peer1-abc');
    assert.equal(link('127.0.0.1:17233'), 'http://127.0.0.1:18233/namespaces/default/workflows/send-peer1-abc');
    assert.equal(link('[::1]:7233'), 'http://[::1]:8233/namespaces/default/workflows/send-peer1-abc');
  });

  it('a listen-all address or a bare host: loopback / port 7233', () => {
    assert.equal(uiBaseUrl({ address: '0.0.0.0:7233', namespace: 'default' }, noEnv), 'http://127.0.0.1:8233');
    assert.equal(uiBaseUrl({ address: 'temporal.lan', namespace: 'default' }, noEnv), 'http://temporal.lan:8233');
  });

  it('a dev server on another machine of the LAN: its UI beside it', () => {
    assert.equal(uiBaseUrl({ address: '192.0.2.5:7233', namespace: 'default' }, noEnv), 'http://192.0.2.5:8233');
  });

  it('self-hosted with temporal.uiUrl: that UI (trailing slash dropped)', () => {
    assert.equal(
      link('temporal.internal:7233', 'prod', 'https://temporal-ui.internal/'),
      'https://temporal-ui.internal/namespaces/prod/workflows/send-peer1-abc',
    );
  });

  it('Temporal Cloud, mTLS namespace endpoint: cloud.temporal.io with the full namespace', () => {
    assert.equal(
      link('peers.a1b2c.tmprl.cloud:7233', 'peers.a1b2c'),
      'https://cloud.temporal.io/namespaces/peers.a1b2c/workflows/send-peer1-abc',
    );
  });

  it('Temporal Cloud, API-key regional endpoint: cloud.temporal.io', () => {
    assert.equal(
      link('us-east-1.aws.api.temporal.io:7233', 'peers.a1b2c'),
      'https://cloud.temporal.io/namespaces/peers.a1b2c/workflows/send-peer1-abc',
    );
    assert.equal(isCloudAddress('europe-west3.gcp.api.temporal.io:7233'), true);
    assert.equal(isCloudAddress('127.0.0.1:7233'), false);
    assert.equal(isCloudAddress('tmprl.cloud.example.com:7233'), false);
  });

  it('PEER_COMMS_UI_URL wins over temporal.uiUrl and over Cloud', () => {
    const env = { PEER_COMMS_UI_URL: 'http://ui.example:8080' };
    assert.equal(
      link('peers.a1b2c.tmprl.cloud:7233', 'peers.a1b2c', 'https://other.example', env),
      'http://ui.example:8080/namespaces/peers.a1b2c/workflows/send-peer1-abc',
    );
  });

  it('namespace and workflow id are URL-encoded', () => {
    assert.equal(
      workflowLink({ address: '127.0.0.1:7233', namespace: 'a b' }, 'job/x?y', noEnv),
      'http://127.0.0.1:8233/namespaces/a%20b/workflows/job%2Fx%3Fy',
    );
  });

  it('workflowUrl (what the CLI prints) carries the settings uiUrl', () => {
    const saved = process.env.PEER_COMMS_UI_URL;
    delete process.env.PEER_COMMS_UI_URL;
    try {
      assert.equal(
        workflowUrl({ address: 'h:7233', namespace: 'default', uiUrl: 'https://ui.lan' }, 'w'),
        'https://ui.lan/namespaces/default/workflows/w',
      );
    } finally {
      if (saved !== undefined) process.env.PEER_COMMS_UI_URL = saved;
    }
  });

  it('splitAddress reads host:port, [v6]:port and bare hosts', () => {
    assert.deepEqual(splitAddress('h:1'), { host: 'h', port: 1 });
    assert.deepEqual(splitAddress('[fe80::1]:7234'), { host: 'fe80::1', port: 7234 });
    assert.deepEqual(splitAddress('fe80::1'), { host: 'fe80::1', port: 7233 });
  });

  it('temporal.uiUrl in peers.yaml: an http(s) URL, anything else refused', () => {
    const peers = 'peers:\n  p1:\n    via: local\n';
    const ok = parseConfigText(`temporal:\n  uiUrl: https://temporal-ui.lan\n${peers}`, 'peers.yaml');
    assert.equal(ok.temporal.uiUrl, 'https://temporal-ui.lan');
    assert.equal(parseConfigText(peers, 'peers.yaml').temporal.uiUrl, undefined);
    assert.throws(() => parseConfigText(`temporal:\n  uiUrl: temporal-ui.lan\n${peers}`, 'peers.yaml'), /uiUrl/);
  });
});
