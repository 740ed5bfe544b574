/**
 * The ack step's removal of a delivery's buffers (activities/ack-cleanup.ts): the allow-list
 * takes its script, and run by the real sh against a private tmux server it deletes both buffers
 * of that delivery and nothing else, and says "done" again when they are gone already.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { removeBuffersScript } from '../../src/activities/deliver';
import { scriptText } from '../../src/activities/context';
import { bufferNames } from '../../src/activities/deliver';
import { composedProblem } from '../../src/guards/commands';
import { TmuxServer } from '../helpers/tmux';

let tmux: TmuxServer | undefined;
before(async () => {
  tmux = await TmuxServer.start('ack-cleanup');
  await tmux.newSession('agent', 'sleep 600');
});
after(async () => {
  await tmux?.kill();
});

function sh(script: string): Promise<number> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], (err) => resolve(err ? Number((err as { code?: number }).code ?? 255) : 0));
  });
}

async function buffers(t: TmuxServer): Promise<string[]> {
  const out = await t.run(['list-buffers', '-F', '#{buffer_name}']);
  return out.stdout.split('\n').filter(Boolean).sort();
}

describe('the delivery buffers removed by the ack step', () => {
  it('passes the allow-list', () => {
    const script = removeBuffersScript({ name: 'peer-comms' }, 'send-p1-20260101-000000-abcdef-1x2y3z');
    assert.equal(composedProblem(script, { peer: 'p1', rental: true, stagingDir: '~/.cache/peer-comms' }), undefined);
  });

  it("removes this delivery's text and marker buffers, not another's; again is harmless", async () => {
    if (!tmux) throw new Error('tmux did not start');
    const mine = bufferNames('send-p1-a-1');
    const other = bufferNames('send-p1-b-2');
    for (const name of [mine.text, mine.marker, other.marker]) await tmux.check(['set-buffer', '-b', name, '--', 'x']);
    const script = scriptText(removeBuffersScript({ name: tmux.socketName }, 'send-p1-a-1'));
    assert.equal(await sh(script), 0);
    assert.deepEqual(await buffers(tmux), [other.marker]);
    assert.equal(await sh(script), 1, 'both gone already: the status the ack step takes for done');
    assert.deepEqual(await buffers(tmux), [other.marker]);
  });
});
