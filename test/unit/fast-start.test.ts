/** Which command lines the built entry (src/cli/fast-start.ts) sends to the bundle: `send` after --config only. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandOf } from '../../src/cli/fast-start';

describe('fast start: the command of a command line', () => {
  it('finds the command after the global --config in each spelling', () => {
    assert.equal(commandOf(['send', 'gpu1', 'hi']), 'send');
    assert.equal(commandOf(['--config', 'p.yaml', 'send', 'gpu1']), 'send');
    assert.equal(commandOf(['-c', 'p.yaml', 'send']), 'send');
    assert.equal(commandOf(['--config=p.yaml', 'send']), 'send');
    assert.equal(commandOf(['-c', 'send', 'worker']), 'worker', 'a config file named "send" is not the command');
  });

  it('leaves anything else to the program', () => {
    assert.equal(commandOf([]), undefined);
    assert.equal(commandOf(['--help', 'send']), undefined);
    assert.equal(commandOf(['-V']), undefined);
    assert.equal(commandOf(['worker']), 'worker');
    assert.equal(commandOf(['--config']), undefined);
  });
});
