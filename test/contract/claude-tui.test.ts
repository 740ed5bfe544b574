/**
 * Contract tests against the REAL Claude Code (pinned in claude-code.version, installed by
 * scripts/install-claude-code.sh), offline in a private tmux server against the fake Messages
 * API, with a throwaway HOME and hook settings (see claude-harness.ts, FINDINGS.md).
 *
 * They pin what peer-comms relies on: the idle screen, what a paste becomes in the hook receipt
 * and at the API, and how failing turns look on screen. The send-level scenarios (peer-comms
 * send over sshd) are listed as TODO in FINDINGS.md §6.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { classifyScreen, type Classification } from '../../src/tmux/screen';
import { FakeAnthropic } from '../helpers/fake-anthropic';
import { waitFor } from '../helpers/wait';
import { ClaudeHarness } from './claude-harness';
import { normalise, pastedPrompt, unwrapPaste } from './claude-rewrites';

const GENERIC_RETRY = /API error · retrying in \d+s · attempt \d+\/\d+/;
const PLACEHOLDER_529 = 'Resend your message to try again';

/** A harness + fake API pair torn down in `after`, whatever happened. */
function claudeFixture(opts: Partial<Parameters<typeof ClaudeHarness.create>[0]> = {}): {
  get: () => { api: FakeAnthropic; cc: ClaudeHarness };
} {
  let api: FakeAnthropic | undefined;
  let cc: ClaudeHarness | undefined;
  before(async () => {
    api = await FakeAnthropic.start();
    cc = await ClaudeHarness.create({ ...opts, api });
    await cc.start();
  });
  after(async () => {
    await cc?.cleanup();
    await api?.close();
  });
  return {
    get: () => {
      if (!api || !cc) throw new Error('fixture not started');
      return { api, cc };
    },
  };
}

describe('real Claude Code: startup and a pasted text', { timeout: 120_000 }, () => {
  const fx = claudeFixture();

  it('starts to an idle input box and reports SessionStart', async () => {
    const { cc } = fx.get();
    const c = await cc.classify();
    assert.equal(c.state, 'idle', c.evidence);
    assert.equal(c.input, '');
    const start = await cc.waitForEvent('SessionStart');
    assert.equal(start.stdin.source, 'startup');
    assert.equal(start.stdin.cwd, cc.workdir);
    assert.match(String(start.stdin.transcript_path), /\.jsonl$/);
  });

  it('a 300-line paste reaches the hook and the API exactly, inside the paste wrapper', async () => {
    const { cc, api } = fx.get();
    const text = Array.from({ length: 300 }, (_, i) => `line ${i + 1}; C-m -x ünï 🚀 "q" $HOME \`id\``).join('\n');
    const since = (await cc.events()).length;
    await cc.paste(text);
    await cc.waitForScreen(
      (c) => c.state === 'text-in-input' && /\[Pasted text #\d+ \+299 lines\]/.test(c.input ?? ''),
      10_000,
      'the collapsed paste in the box',
    );
    await cc.submit();

    const ups = await cc.waitForEvent('UserPromptSubmit', { since });
    const prompt = String(ups.stdin.prompt);
    const wrapped = unwrapPaste(prompt);
    assert.ok(wrapped, `the prompt is one wrapped paste: ${JSON.stringify(prompt.slice(0, 80))}`);
    assert.match(wrapped.id, /^[0-9a-f]{4}$/);
    assert.equal(wrapped.body, text);
    assert.equal(prompt, pastedPrompt(text, wrapped.id));

    const stop = await cc.waitForEvent('Stop', { since });
    assert.equal(stop.stdin.prompt_id, ups.stdin.prompt_id);
    assert.ok(api.allUserBlocks().includes(prompt), 'the API received exactly the hook prompt as a user message');

    // the transcript is written asynchronously: it may lag the hooks (FINDINGS.md §3)
    const user = await waitFor(
      async () =>
        (await cc.transcript(String(ups.stdin.transcript_path))).find(
          (e) => e.type === 'user' && e.promptId === ups.stdin.prompt_id,
        ),
      { timeoutMs: 10_000, what: 'the user entry in the transcript' },
    );
    assert.deepEqual((user.message as { content: unknown }).content, prompt);
    await waitFor(
      async () =>
        (await cc.transcript(String(ups.stdin.transcript_path))).some(
          (e) => e.type === 'system' && e.subtype === 'turn_duration' && e.parentUuid !== null,
        ),
      { timeoutMs: 10_000, what: 'the turn_duration entry' },
    );
  });

  it('rewrites TABs, CRLF and CR in a paste (the documented rewrites still hold)', async () => {
    const { cc, api } = fx.get();
    const text = '  \tlead\ttab  \r\nsecond\rthird\r\n\r\nfifth ünïcödé 日本語   \n';
    const since = (await cc.events()).length;
    await cc.paste(text);
    await cc.waitForScreen((c) => c.state === 'text-in-input', 10_000, 'the paste in the box');
    await cc.submit();
    const ups = await cc.waitForEvent('UserPromptSubmit', { since });
    const prompt = String(ups.stdin.prompt);
    const wrapped = unwrapPaste(prompt);
    assert.ok(wrapped, JSON.stringify(prompt));
    assert.equal(prompt, pastedPrompt(text, wrapped.id));
    assert.equal(wrapped.body, normalise(text).replace(/\n$/, ''));
    await cc.waitForEvent('Stop', { since });
    assert.ok(api.allUserBlocks().includes(prompt));
  });
});

describe('real Claude Code: a turn whose API calls get 401', { timeout: 120_000 }, () => {
  // OAuth, like a real peer: the turn gives up after 2 attempts (~3 s); with an API key it
  // would retry for ~3 minutes (FINDINGS.md §1a).
  const fx = claudeFixture({ auth: 'oauth-file' });

  it('never classifies as plain working once the generic "API error · retrying" line is shown', async () => {
    const { cc, api } = fx.get();
    api.setMode('401');
    const since = (await cc.events()).length;
    await cc.paste('this text meets an expired token');
    await cc.waitForScreen((c) => c.state === 'text-in-input', 10_000, 'the text in the box');
    await cc.submit();

    const seen: { state: string; evidence: string; generic: boolean }[] = [];
    let genericSeen = false;
    await cc.waitForScreen(
      (c: Classification, screen: string) => {
        if (GENERIC_RETRY.test(screen)) genericSeen = true;
        seen.push({ state: c.state, evidence: c.evidence, generic: genericSeen });
        return /Please run \/login/.test(screen) && c.state !== 'working';
      },
      60_000,
      'the final 401 screen',
    );
    assert.ok(genericSeen, 'the generic retry line was on screen at some point');
    const afterGeneric = seen.filter((s) => s.generic);
    const working = afterGeneric.filter((s) => s.state === 'working');
    assert.deepEqual(working, [], 'screens after the generic retry line that classify as working');
    const final = await cc.classify();
    assert.equal(final.state, 'error:oauth', final.evidence);
    assert.equal(final.input, '', 'the "Once fixed, resend your message" placeholder is not input');

    const failure = await cc.waitForEvent('StopFailure', { since });
    assert.equal(failure.stdin.error, 'authentication_failed');
    const ups = (await cc.events()).slice(since).find((e) => e.event === 'UserPromptSubmit');
    assert.equal(ups?.stdin.prompt, 'this text meets an expired token', 'the receipt exists although the turn fails');
    assert.equal(failure.stdin.prompt_id, ups?.stdin.prompt_id);
  });
});

describe('real Claude Code: 429 and 529 turns', { timeout: 120_000 }, () => {
  const fx = claudeFixture();

  it('after a 429 the input box reads as empty and the next text goes through', async () => {
    const { cc, api } = fx.get();
    api.setMode('429');
    let since = (await cc.events()).length;
    await cc.paste('rate limited text');
    await cc.waitForScreen((c) => c.state === 'text-in-input', 10_000, 'the text in the box');
    await cc.submit();
    const failure = await cc.waitForEvent('StopFailure', { since });
    assert.equal(failure.stdin.error, 'rate_limit');
    const c = await cc.waitForScreen((x) => x.state !== 'working', 10_000, 'the turn to end on screen');
    assert.equal(c.input, '', `input read from: ${c.evidence}`);
    assert.notEqual(c.state, 'text-in-input');
    assert.match(c.state, /^error:/);

    api.setMode('ok');
    since = (await cc.events()).length;
    await cc.paste('after the 429');
    await cc.waitForScreen((x) => x.state === 'text-in-input', 10_000, 'the next text in the box');
    await cc.submit();
    const ups = await cc.waitForEvent('UserPromptSubmit', { since });
    assert.equal(ups.stdin.prompt, 'after the 429');
    await cc.waitForEvent('Stop', { since });
  });

  it('after a 529 the dim "Resend your message to try again" placeholder is not read as text', async () => {
    const { cc, api } = fx.get();
    api.setMode('529');
    const since = (await cc.events()).length;
    await cc.paste('overloaded text');
    await cc.waitForScreen((c) => c.state === 'text-in-input', 10_000, 'the text in the box');
    await cc.submit();
    const failure = await cc.waitForEvent('StopFailure', { since, timeoutMs: 60_000 });
    assert.equal(failure.stdin.error, 'server_error');
    const screen = await cc.waitForScreen((_c, s) => s.includes(PLACEHOLDER_529), 10_000, 'the placeholder');
    const ansi = await cc.captureAnsi();
    assert.ok(ansi.includes('\u001b[7mR\u001b[0;2m'), 'placeholder styled dim with a reverse-video cursor');
    assert.equal(screen.input, '', `classified ${screen.state}: ${screen.evidence}`);
    assert.notEqual(screen.state, 'text-in-input');
    // the same reading from the escape-coded capture
    assert.equal(classifyScreen(ansi).input, '');
    api.setMode('ok');
  });
});
