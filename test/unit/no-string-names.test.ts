/**
 * The lint rule that keeps signals, queries and updates addressed through
 * src/workflows/definitions.ts: a string-named call is refused, the definition passes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');
const MESSAGE = /by their definitions|by its definition/;

async function refusals(code: string): Promise<number[]> {
  const eslint = new ESLint({ cwd: ROOT });
  // Linted as this very file (inside the project), with the text given here.
  const [result] = await eslint.lintText(code, { filePath: __filename });
  return (result?.messages ?? []).filter((m) => MESSAGE.test(m.message)).map((m) => m.line);
}

const HEAD = `import type { Client } from '@temporalio/client';
import { paneLock } from '../../src/workflows/pane-lock';
import { acquireSignal, completeSignal, progressQuery, resolveUpdate } from '../../src/workflows/definitions';
export async function f(client: Client): Promise<void> {
  const h = client.workflow.getHandle('x');
`;

describe('lint: no string-named signal, query or update', () => {
  it('refuses each string-named call, in src/ and test/ alike', { timeout: 120_000 }, async () => {
    const lines = await refusals(
      `${HEAD}  await h.query<string>('progress');
  await h.signal('complete', {});
  await h.executeUpdate(\`resolve\`, { args: [{}] });
  await h.startUpdate('resolve', { args: [{}], waitForStage: 'ACCEPTED' });
  await client.workflow.signalWithStart('paneLock', { workflowId: 'l', taskQueue: 'q', signal: acquireSignal, signalArgs: [] });
  await client.workflow.signalWithStart(paneLock, { workflowId: 'l', taskQueue: 'q', signal: 'acquire', signalArgs: [] });
}
`,
    );
    assert.deepEqual(lines, [6, 7, 8, 9, 10, 11]);
  });

  it('passes the definitions', { timeout: 120_000 }, async () => {
    const lines = await refusals(
      `${HEAD}  await h.query(progressQuery);
  await h.signal(completeSignal, {});
  await h.executeUpdate(resolveUpdate, { args: [{ decision: 'a' }] });
  await client.workflow.signalWithStart(paneLock, { workflowId: 'l', taskQueue: 'q', args: [{ idleMs: 1 }], signal: acquireSignal, signalArgs: [{ requester: 'r', leaseMs: 1 }] });
}
`,
    );
    assert.deepEqual(lines, []);
  });
});
