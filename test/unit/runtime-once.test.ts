/**
 * The Temporal runtime is installed once per process (src/temporal/runtime.ts): a second
 * install with the same options hands back the same logger (dev runs the worker in its own
 * process), one with other options is refused with a line saying what is installed.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Runtime } from '@temporalio/worker';
import { installRuntime } from '../../src/temporal/runtime';

describe('installRuntime', () => {
  after(() => Runtime.instance().shutdown()); // the native runtime would keep the process alive

  it('once per process: the same options again are a no-op, others are refused', () => {
    const logger = installRuntime({ logFormat: 'json' });
    assert.equal(logger.format, 'json');
    assert.equal(installRuntime({ logFormat: 'json' }), logger);
    assert.throws(() => installRuntime({ logFormat: 'text' }), {
      name: 'RuntimeOptionError',
      message: /already installed \(metrics off, json logs\): it cannot be changed to metrics off, text logs/,
    });
    assert.throws(() => installRuntime({ logFormat: 'json', metrics: '127.0.0.1:9464' }), /already installed/);
  });
});
