/** lockHolders: which lock requesters have closed, from their workflow status (a fake describe). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createLockHolders, holderStatuses } from '../../src/activities/lock-holders';

void describe('lockHolders', () => {
  test('closed statuses free the pane; running, paused and unknown ones keep it', async () => {
    const status: Record<string, string> = {
      a: 'RUNNING',
      b: 'COMPLETED',
      c: 'FAILED',
      d: 'CANCELLED',
      e: 'TERMINATED',
      f: 'TIMED_OUT',
      g: 'PAUSED',
      h: 'UNSPECIFIED',
    };
    const got = await holderStatuses(Object.keys(status), async (id) => status[id] ?? 'RUNNING');
    assert.deepEqual(
      got.map((s) => [s.workflowId, s.closed]),
      [
        ['a', false],
        ['b', true],
        ['c', true],
        ['d', true],
        ['e', true],
        ['f', true],
        ['g', false],
        ['h', false],
      ],
    );
  });

  test('a workflow the server does not know is closed; other errors are thrown (the lock keeps its holder)', async () => {
    const gone = await holderStatuses(['x'], async (id) => {
      throw new WorkflowNotFoundError('not found', id, undefined);
    });
    assert.deepEqual(gone, [{ workflowId: 'x', status: 'NOT_FOUND', closed: true }]);
    await assert.rejects(
      holderStatuses(['x'], async () => {
        throw new Error('connection refused');
      }),
      /connection refused/,
    );
  });

  test('each id is described once, answers in the order asked', async () => {
    const asked: string[] = [];
    const lockHolders = createLockHolders(async (id) => {
      asked.push(id);
      return id === 'held' ? 'RUNNING' : 'TERMINATED';
    });
    const got = await lockHolders({ workflowIds: ['held', 'gone', 'held'] });
    assert.deepEqual(asked.sort(), ['gone', 'held']);
    assert.deepEqual(
      got.map((s) => s.status),
      ['RUNNING', 'TERMINATED', 'RUNNING'],
    );
  });
});
