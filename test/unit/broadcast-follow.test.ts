import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHILD_QUERIES_PER_POLL, childrenToAsk } from '../../src/cli/broadcast-command';
import { redrawsInPlace } from '../../src/cli/broadcast-render';

describe('the broadcast table asks its running children in turn', () => {
  it('a few running children are all asked each poll', () => {
    assert.deepEqual(childrenToAsk(['a', 'b', 'c'], 7), ['a', 'b', 'c']);
  });

  it('20 running children: at most the budget per poll, and every one within ceil(20 / budget) polls', () => {
    const peers = Array.from({ length: 20 }, (_, i) => `p${i + 1}`);
    const asked = new Set<string>();
    let turn = 0;
    for (let poll = 0; poll < Math.ceil(peers.length / CHILD_QUERIES_PER_POLL); poll++) {
      const ask = childrenToAsk(peers, turn);
      assert.equal(ask.length, CHILD_QUERIES_PER_POLL);
      assert.equal(new Set(ask).size, ask.length, 'no child twice in one poll');
      ask.forEach((p) => asked.add(p));
      turn += ask.length;
    }
    assert.equal(asked.size, peers.length);
  });

  it('a shrinking list (children finishing) still reaches the ones left', () => {
    const left = ['p3', 'p9', 'p11', 'p12', 'p17'];
    const asked = new Set([...childrenToAsk(left, 38), ...childrenToAsk(left, 42)]);
    assert.equal(asked.size, left.length);
  });
});

describe('the broadcast table redraws in place only on a capable terminal', () => {
  it('a terminal: in place; TERM=dumb or no terminal: plain lines', () => {
    assert.equal(redrawsInPlace({ isTTY: true }, { TERM: 'xterm-256color' }), true);
    assert.equal(redrawsInPlace({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(redrawsInPlace({ isTTY: false }, { TERM: 'xterm' }), false);
    assert.equal(redrawsInPlace({}, {}), false);
  });
});
