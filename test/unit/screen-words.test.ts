import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { screenWords } from '../../src/activities/ack-watch';

describe('screenWords: the agent words in a screen error line', () => {
  it('drops the TUI glyph, so screen and StopFailure record give the same words', () => {
    const line = "● API Error: Request rejected (429) · This request would exceed your account's rate limit.";
    assert.equal(
      screenWords(line),
      "API Error: Request rejected (429) · This request would exceed your account's rate limit.",
    );
    assert.equal(screenWords('⎿  API Error: 401'), 'API Error: 401');
    assert.equal(screenWords('API Error: 500'), 'API Error: 500');
  });
});
