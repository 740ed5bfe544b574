import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, parseConfigText } from '../../src/config/load';
import { formatDuration, parseDuration } from '../../src/config/duration';
import { choosePath, utf8Length } from '../../src/contracts/send';

const root = join(__dirname, '..', '..');

describe('peers file', () => {
  it('accepts peers.example.yaml with defaults filled in', () => {
    const cfg = parseConfigText(readFileSync(join(root, 'peers.example.yaml'), 'utf8'), 'peers.example.yaml');
    assert.deepEqual(Object.keys(cfg.peers), ['rtxserver', 'gpuserver1']);
    const rtx = cfg.peers.rtxserver!;
    assert.equal(rtx.port, 22);
    assert.equal(rtx.thresholds.credentialRefresh, 4 * 3_600_000);
    assert.equal(rtx.recovery.method, 'systemd');
    assert.equal(cfg.peers.gpuserver1!.ack.settle, 30);
    assert.equal(cfg.peers.gpuserver1!.thresholds.loadAverage, 3);
  });

  it('reports one line per problem with its path in the file, and nothing runs', () => {
    const text = [
      'peers:',
      '  rtxserver:',
      '    host: example.invalid',
      '    port: "twenty-two"',
      '    user: alton',
      '    privateKey: ~/.ssh/id',
      '    recovery: { method: tmux }',
      '    ack: { timeout: soon }',
      '  "bad name!":',
      '    via: local',
      '  nouser:',
      '    host: h',
      '    agent: true',
    ].join('\n');
    assert.throws(
      () => parseConfigText(text, 'peers.yaml'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const all = err.problems.join('\n');
        assert.match(all, /^peers\.rtxserver\.port: expected number, received string$/m);
        assert.match(all, /^peers\.rtxserver\.recovery\.command: /m);
        assert.match(all, /^peers\.rtxserver\.ack\.timeout: not a duration: "soon"/m);
        assert.match(all, /^peers\.bad name!: a peer name is/m);
        assert.match(all, /^peers\.nouser\.user: required for a peer reached via ssh$/m);
        assert.match(err.message, /^peers\.yaml: \d+ problems/);
        return true;
      },
    );
  });

  it('takes GPU, rental and peer-worker settings with sensible defaults, and checks them', () => {
    const cfg = parseConfigText(readFileSync(join(root, 'peers.example.yaml'), 'utf8'), 'peers.example.yaml');
    assert.deepEqual(cfg.peers.rtxserver?.gpu, {
      powerLimitW: 450,
      abortTempC: 88,
      nvidiaSmi: 'nvidia-smi',
      powerToleranceW: 5,
      perGpu: {},
    });
    assert.deepEqual(cfg.peers.gpuserver1?.rental, { maxLoadAverage: 3, maxWait: 2 * 3_600_000, checkEvery: 60_000 });
    assert.equal(cfg.peers.rtxserver?.rental, undefined, 'a peer of your own is not a rental');
    const worker = parseConfigText('peers:\n  box:\n    via: worker\n', 'w.yaml').peers.box!;
    assert.equal(worker.worker.pickupTimeout, 30 * 60_000);
    assert.equal(worker.host, undefined, 'a worker peer needs no SSH settings');
    assert.throws(
      () =>
        parseConfigText(
          'peers:\n  box:\n    via: worker\n    host: h\n    gpu: { abortTempC: 300, perGpu: { x: {} } }\n    rental: { maxLoadAverage: -1 }\n',
          'w.yaml',
        ),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const all = err.problems.join('\n');
        assert.match(all, /^peers\.box\.gpu\.abortTempC: /m);
        assert.match(all, /^peers\.box\.gpu\.perGpu\.x: /m);
        assert.match(all, /^peers\.box\.rental\.maxLoadAverage: /m);
        return true;
      },
    );
    assert.throws(
      () => parseConfigText('peers:\n  box:\n    via: worker\n    host: h\n', 'w.yaml'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(
          err.problems.join('\n'),
          /^peers\.box\.user: give user with host \(for credential pushes over SSH\)$/m,
        );
        return true;
      },
    );
  });

  it('reports YAML syntax errors', () => {
    assert.throws(() => parseConfigText('peers: [a, b\n', 'p.yaml'), /YAML/);
  });

  it('refuses unknown keys (a typo is not silently ignored)', () => {
    assert.throws(
      () => parseConfigText('peers:\n  a:\n    via: local\n    tmux: { targte: x:0 }\n', 'p.yaml'),
      /peers\.a\.tmux: Unrecognized key: "targte"/,
    );
  });
});

describe('durations', () => {
  it('parses and formats', () => {
    assert.equal(parseDuration('4h'), 14_400_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration(42), 42);
    assert.throws(() => parseDuration('4 hours'), /not a duration/);
    assert.equal(formatDuration(850), '850ms');
    assert.equal(formatDuration(12_300), '12.3s');
    assert.equal(formatDuration(3 * 3_600_000 + 20 * 60_000), '3h20m');
  });
});

describe('delivery path', () => {
  it('takes light for a short single line and heavy otherwise', () => {
    assert.equal(choosePath('hello there'), 'light');
    assert.equal(choosePath('a\nb'), 'heavy');
    assert.equal(choosePath('tab\there'), 'heavy');
    assert.equal(choosePath('x'.repeat(2001)), 'heavy');
    assert.equal(choosePath('short', 'heavy'), 'heavy');
    assert.deepEqual(typeof choosePath('a\nb', 'light'), 'object');
    assert.equal(utf8Length('é✓😀'), 2 + 3 + 4);
  });
});
