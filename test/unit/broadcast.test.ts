/** Broadcast without a server: peer groups in the config, the names a send goes to, the outcome order, the table. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BroadcastTable, type PeerRow } from '../../src/cli/broadcast-render';
import { targetsOf } from '../../src/cli/broadcast-targets';
import { UsageError } from '../../src/cli/exit';
import { ConfigError, parseConfigText } from '../../src/config/load';
import { broadcastChildId, worstOutcome } from '../../src/contracts/broadcast';

const PEERS = `peers:
  a: { via: local }
  b: { via: local }
  c: { via: local }
`;

describe('broadcast', () => {
  it('groups: members must be configured peers, each once; a group may not share a peer name', () => {
    const cfg = parseConfigText(`${PEERS}groups:\n  ab: [a, b]\n`, 'peers.yaml');
    assert.deepEqual(cfg.groups, { ab: ['a', 'b'] });
    assert.deepEqual(parseConfigText(PEERS, 'peers.yaml').groups, {});
    assert.throws(
      () => parseConfigText(`${PEERS}groups:\n  gpus: [a, zz, yy, a]\n  b: [c]\n`, 'peers.yaml'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /groups\.gpus: unknown peers: zz, yy/);
        assert.match(err.message, /groups\.gpus: listed twice: a/);
        assert.match(err.message, /groups\.b: "b" is a peer's name too/);
        return true;
      },
    );
  });

  it('targets: one name is a plain send; a list, a group or --all a broadcast; bad names exit 2', () => {
    const cfg = parseConfigText(`${PEERS}groups:\n  ab: [a, b]\n`, 'peers.yaml');
    assert.deepEqual(targetsOf('f', cfg, 'a', 'hi', false), { kind: 'single', peer: 'a', text: 'hi' });
    assert.deepEqual(targetsOf('f', cfg, 'c,a', 'hi', false), { kind: 'broadcast', peers: ['c', 'a'], text: 'hi' });
    assert.deepEqual(targetsOf('f', cfg, 'ab', 'hi', false), { kind: 'broadcast', peers: ['a', 'b'], text: 'hi' });
    assert.deepEqual(targetsOf('f', cfg, 'ab,c', undefined, false), {
      kind: 'broadcast',
      peers: ['a', 'b', 'c'],
      text: undefined,
    });
    assert.deepEqual(targetsOf('f', cfg, 'hi', undefined, true), {
      kind: 'broadcast',
      peers: ['a', 'b', 'c'],
      text: 'hi',
    });
    for (const [first, text, all, re] of [
      ['a,zz', 'x', false, /unknown peer "zz" \(configured: a, b, c; groups: ab\) in f; nothing was started/],
      ['a,a', 'x', false, /listed twice: a/],
      ['ab,a', 'x', false, /listed twice: a/],
      ['a,', 'x', false, /an empty peer name/],
      ['a', 'x', true, /--all takes no peer names/],
      [undefined, undefined, false, /missing the peer/],
    ] as const) {
      assert.throws(
        () => targetsOf('f', cfg, first, text, all),
        (e: unknown) => e instanceof UsageError && re.test(e.message),
      );
    }
  });

  it('the overall outcome is the worst: failed, then unconfirmed, then queued, then acked', () => {
    assert.equal(worstOutcome(['acked', 'acked']), 'acked');
    assert.equal(worstOutcome(['acked', 'queued']), 'queued');
    assert.equal(worstOutcome(['queued', 'unconfirmed', 'acked']), 'unconfirmed');
    assert.equal(worstOutcome(['unconfirmed', 'failed', 'queued']), 'failed');
    assert.equal(worstOutcome(['acked', undefined]), 'failed');
  });

  it('child ids follow the single-send scheme with the broadcast time and suffix', () => {
    assert.equal(broadcastChildId('broadcast-20260101-120000-abc123', 'p1'), 'send-p1-20260101-120000-abc123');
    assert.equal(broadcastChildId('from-the-ui', 'p1'), 'send-p1-from-the-ui');
  });

  it('the table: plain lines per change without a TTY, redrawn in place on one', () => {
    const rows = (phase: string, outcome?: 'acked'): PeerRow[] => [
      { peer: 'a', phase, step: '✓ preflight', outcome },
      { peer: 'bb', phase: 'starting', step: '' },
    ];
    const plain: string[] = [];
    const t = new BroadcastTable((s) => plain.push(s), false);
    t.update(rows('preflight'));
    t.update(rows('preflight'));
    t.update(rows('finished', 'acked'));
    assert.deepEqual(plain, [
      '  a     preflight       …            ✓ preflight\n',
      '  bb    starting        …\n',
      '  a     finished        acked        ✓ preflight\n',
    ]);
    const tty: string[] = [];
    const t2 = new BroadcastTable((s) => tty.push(s), true);
    t2.update(rows('preflight'));
    t2.update(rows('finished', 'acked'));
    assert.ok(!tty[0]!.includes('\x1b[2A'));
    assert.ok(tty[1]!.startsWith('\x1b[2A\x1b[2K  a     finished'));
  });
});
