/**
 * Test-only workflows for the pane-lock tests: the real paneLock, and a stand-in requester
 * that counts the grants it receives and ends when told to. Bundled by pane-lock.test.ts.
 */
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import { lockGrantedSignal } from '../../../src/workflows/definitions';

export { paneLock } from '../../../src/workflows/pane-lock';

export const grantsQuery = defineQuery<number>('grants');
export const finishSignal = defineSignal('finish');

/** Waits for `finish`; answers `grants` with how often the lock said it was its turn. */
export async function lockRequester(): Promise<number> {
  let grants = 0;
  let finished = false;
  setHandler(lockGrantedSignal, () => {
    grants++;
  });
  setHandler(grantsQuery, () => grants);
  setHandler(finishSignal, () => {
    finished = true;
  });
  await condition(() => finished);
  return grants;
}
