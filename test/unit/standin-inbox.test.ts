import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inboxWrites } from '../../src/standin/inbox';

describe('stand-in inbox writes', () => {
  it('writes a phone-home with a recommendation section, and a DONE marker, on their prompt lines', () => {
    const w = inboxWrites('do the work\nstand-in: phone home thermal-abort\r\nstand-in: done job-p1-x', new Date(0));
    assert.deepEqual(
      w.map((x) => x.file),
      ['PHONE-HOME-thermal-abort.md', 'DONE-job-p1-x.md'],
    );
    assert.match(w[0]!.body, /## Recommendation\n\nRe-run thermal-abort/);
  });

  it('ignores unsafe names and ordinary text', () => {
    assert.deepEqual(inboxWrites('stand-in: phone home ../../etc\nplease phone home later', new Date(0)), []);
  });
});
