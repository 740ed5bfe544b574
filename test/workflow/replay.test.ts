/**
 * Replays recorded histories of real sends against today's workflow code: a change that would
 * break sends already running (non-determinism) fails here. Re-record a history only for an
 * intended, versioned change: run the e2e tests with PEER_COMMS_RECORD_HISTORIES=<dir> (see
 * recordHistory in test/helpers/temporal.ts) and copy what you need, or
 * `temporal workflow show -w <id> -o json > test/histories/<name>.json`. A `<name>.workflow-id`
 * beside a history gives the id it ran under (a job names its sends after its id).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
      const idFile = join(DIR, file.replace(/\.json$/, '.workflow-id'));
      const workflowId = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : undefined;
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, history, workflowId);
    });
  }
});
