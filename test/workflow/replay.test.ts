/**
 * Replays recorded histories of real sends against today's workflow code: a change that would
 * break sends already running (non-determinism) fails here. Re-record a history only for an
 * intended, versioned change (temporal workflow show -w <id> -o json > test/histories/<name>.json).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { installRuntimeOnce, workflowBundle } from '../helpers/temporal';

const DIR = join(__dirname, '..', 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

void describe('recorded histories replay on the current workflow code', () => {
  void it('has histories to replay', () => {
    assert.ok(files.length >= 3, `expected recorded histories in ${DIR}`);
  });
  for (const file of files) {
    void it(file, async () => {
      installRuntimeOnce();
      const history = historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, history);
    });
  }
});
