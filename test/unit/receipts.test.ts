/**
 * Receipts: the canonical form, the hook script as Claude Code runs it (node, JSON on stdin),
 * event-log and transcript parsing, and the verdict on one sent text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { agentFiles, agentSettings, hookScriptSource, HOOK_EVENTS } from '../../src/receipts/hook';
import {
  canonicalSha256,
  judgeTurn,
  parseEventLine,
  parseTranscriptLine,
  transcriptDir,
  type AgentRecord,
} from '../../src/receipts/records';
import { canonicalPrompt } from '../../src/receipts/rewrites';
import { agentStartCommand } from '../../src/activities/session';

const dir = mkdtempSync(join(tmpdir(), 'pc-receipts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hookFile = join(dir, 'receipt-hook.cjs');
writeFileSync(hookFile, hookScriptSource(), { mode: 0o600 });

function runHook(log: string, event: object): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [hookFile, log], { input: JSON.stringify(event), encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('canonical form', () => {
  it('removes the paste wrapper, turns CRLF/CR into LF and TAB into 4 spaces, drops controls', () => {
    assert.equal(canonicalPrompt('<pasted_content id="1">a\tb\r\nc\rd</pasted_content id="1">'), 'a    b\nc\nd');
    assert.equal(canonicalPrompt('x\u0000y\u001bz\u007f\u0085'), 'xyz');
    assert.equal(canonicalPrompt('plain text ; C-m -x ✓'), 'plain text ; C-m -x ✓');
  });
  it('the real 2.1.328 paste prompts (FINDINGS.md) match the texts sent', () => {
    const odd =
      '  \tTabbed\tline with two TABs  \r\n\r\nsecond line: ünïcödé 日本語 🚀 — “quotes” ; C-m -dash\r\n\n   trailing spaces   \n\n';
    const oddPrompt =
      '\n\n<pasted_content id="9c75">\n      Tabbed    line with two TABs  \n\nsecond line: ünïcödé 日本語 🚀 — “quotes” ; C-m -dash\n\n   trailing spaces   \n\n</pasted_content id="9c75">\n';
    assert.equal(canonicalSha256(oddPrompt).sha256, canonicalSha256(odd).sha256);
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i + 1} of 300`).join('\n');
    assert.equal(
      canonicalSha256(`\n\n<pasted_content id="9c75">\n${lines}\n</pasted_content id="9c75">\n`).sha256,
      canonicalSha256(lines).sha256,
    );
    assert.notEqual(canonicalSha256('line 1 of 300').sha256, canonicalSha256(lines).sha256);
  });
  it('a wrapped paste and the text sent hash the same', () => {
    const sent = 'line 1\n\tindented\r\nline 3';
    const got = `<pasted_content id="abc">line 1\n    indented\nline 3</pasted_content id="abc">`;
    assert.equal(canonicalSha256(sent).sha256, canonicalSha256(got).sha256);
  });
});

describe('receipt hook script', () => {
  it('appends one line per event: sha256 and length of the canonical prompt, ids, error; prints nothing', () => {
    const log = join(dir, 'a', 'events.jsonl');
    const prompt = '<pasted_content id="7">hello\tworld</pasted_content id="7">';
    const base = { session_id: 's1', transcript_path: '/t.jsonl', cwd: '/w' };
    for (const e of [
      { ...base, hook_event_name: 'SessionStart', source: 'startup' },
      { ...base, hook_event_name: 'UserPromptSubmit', prompt, prompt_id: 'p1' },
      {
        ...base,
        hook_event_name: 'StopFailure',
        error: 'authentication_failed',
        error_details: 'OAuth token has expired',
      },
      { ...base, hook_event_name: 'Stop', last_assistant_message: 'ok' },
    ]) {
      const r = runHook(log, e);
      assert.equal(r.status, 0);
      assert.equal(r.stdout, '', 'a hook must print nothing (stdout would reach the model)');
    }
    assert.equal(statSync(log).mode & 0o777, 0o600);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(lines.length, 4);
    const recs = lines.map((l) => parseEventLine(l));
    assert.deepEqual(
      recs.map((r) => r?.kind),
      ['session-start', 'prompt', 'turn-error', 'turn-end'],
    );
    const p = recs[1];
    assert.ok(p && p.kind === 'prompt');
    assert.equal(p.sha256, canonicalSha256('hello\tworld').sha256);
    assert.equal(p.length, Buffer.byteLength('hello    world'));
    assert.equal(p.promptId, 'p1');
    assert.equal(p.session, 's1');
    const e = recs[2];
    assert.ok(e && e.kind === 'turn-error');
    assert.equal(e.error, 'authentication_failed');
    assert.equal(e.details, 'OAuth token has expired');
  });
  it('survives a log it cannot write and input that is not JSON: exit 0, nothing printed', () => {
    const blocked = join(dir, 'file-not-dir');
    writeFileSync(blocked, 'x');
    for (const [log, input] of [
      [join(blocked, 'sub', 'events.jsonl'), { hook_event_name: 'Stop' }],
      [join(dir, 'b.jsonl'), 'not json'],
    ] as const) {
      const r = spawnSync(process.execPath, [hookFile, log], {
        input: typeof input === 'string' ? input : JSON.stringify(input),
        encoding: 'utf8',
      });
      assert.equal(r.status, 0);
      assert.equal(r.stdout, '');
    }
    assert.equal(existsSync(join(dir, 'b.jsonl')), false);
  });
  it('the settings file names the hook for every event, quoted for the shell', () => {
    const s = JSON.parse(agentSettings({ node: '/usr/bin/node', hook: "/h/it's/hook.cjs", events: '/h/e.jsonl' })) as {
      hooks: Record<string, { hooks: { type: string; command: string; timeout: number }[] }[]>;
    };
    assert.deepEqual(Object.keys(s.hooks).sort(), [...HOOK_EVENTS].sort());
    const cmd = s.hooks.UserPromptSubmit?.[0]?.hooks[0];
    assert.equal(cmd?.type, 'command');
    assert.equal(
      cmd?.command,
      `NODE_OPTIONS= NODE_EXTRA_CA_CERTS= '/usr/bin/node' '/h/it'\\''s/hook.cjs' '/h/e.jsonl'`,
    );
  });
  it('the hook command runs node with its arguments intact and no Node options or extra CA file', () => {
    const fakeNode = join(dir, 'fake node');
    writeFileSync(fakeNode, `#!/bin/sh\nprintf '%s|' "$@" "[$NODE_OPTIONS]" "[$NODE_EXTRA_CA_CERTS]"\n`, {
      mode: 0o700,
    });
    const s = JSON.parse(agentSettings({ node: fakeNode, hook: "/h/it's/hook.cjs", events: '/h/e.jsonl' })) as {
      hooks: Record<string, { hooks: { command: string }[] }[]>;
    };
    const command = s.hooks.Stop?.[0]?.hooks[0]?.command ?? '';
    const env = { ...process.env, NODE_OPTIONS: '--require /nonexistent.js', NODE_EXTRA_CA_CERTS: '/etc/ca.pem' };
    const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', env });
    assert.equal(r.stdout, "/h/it's/hook.cjs|/h/e.jsonl|[]|[]|");
  });
  it('the real hook, started by its command with NODE_EXTRA_CA_CERTS and NODE_OPTIONS set, writes its line and prints nothing', () => {
    const log = join(dir, 'env.jsonl');
    const s = JSON.parse(agentSettings({ node: process.execPath, hook: hookFile, events: log })) as {
      hooks: Record<string, { hooks: { command: string }[] }[]>;
    };
    const command = s.hooks.UserPromptSubmit?.[0]?.hooks[0]?.command ?? '';
    const env = { ...process.env, NODE_OPTIONS: '--require /nonexistent.js', NODE_EXTRA_CA_CERTS: '/nonexistent.pem' };
    const input = JSON.stringify({ hook_event_name: 'UserPromptSubmit', session_id: 's', prompt: 'hi' });
    const r = spawnSync('/bin/sh', ['-c', command], { input, encoding: 'utf8', env });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    assert.equal((JSON.parse(readFileSync(log, 'utf8')) as { event: string }).event, 'UserPromptSubmit');
  });
  it('files per tmux socket and session, in the agent state folder', () => {
    const f = agentFiles('/home/u/.local/state/peer-comms/agent/', 'pc sock', 'claude');
    assert.equal(f.settings, '/home/u/.local/state/peer-comms/agent/pc_sock.claude.settings.json');
    assert.equal(f.events, '/home/u/.local/state/peer-comms/agent/pc_sock.claude.events.jsonl');
  });
});

describe('agent command', () => {
  it('appends --settings, or fills {settings}; --continue only on a restart', () => {
    assert.equal(
      agentStartCommand('claude --model x', { settings: '/s.json', continueConversation: false }),
      'claude --model x --settings /s.json',
    );
    assert.equal(
      agentStartCommand("bash -lc 'claude {settings} {continue}'", {
        settings: '/h/s.json',
        continueConversation: true,
      }),
      "bash -lc 'claude --settings /h/s.json --continue'",
    );
    assert.equal(agentStartCommand('claude {settings}', { settings: null, continueConversation: false }), 'claude ');
    assert.equal(agentStartCommand('claude', { settings: null, continueConversation: true }), 'claude --continue');
  });
});

describe('transcript', () => {
  it('user entries (string or text blocks), API error entries and finished turns', () => {
    const user = parseTranscriptLine(
      JSON.stringify({ type: 'user', sessionId: 's', timestamp: 't', message: { role: 'user', content: 'hi\tthere' } }),
    );
    assert.ok(user && user.kind === 'prompt');
    assert.equal(user.sha256, canonicalSha256('hi    there').sha256);
    const blocks = parseTranscriptLine(
      JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'x' }] } }),
    );
    assert.ok(blocks && blocks.kind === 'prompt' && blocks.sha256 === canonicalSha256('x').sha256);
    assert.equal(
      parseTranscriptLine(
        JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', content: 'x' }] } }),
      ),
      null,
    );
    assert.equal(parseTranscriptLine(JSON.stringify({ type: 'user', isMeta: true, message: { content: 'x' } })), null);
    const err = parseTranscriptLine(
      JSON.stringify({ type: 'assistant', isApiErrorMessage: true, error: 'rate_limit' }),
    );
    assert.ok(err && err.kind === 'turn-error' && err.error === 'rate_limit');
    const end = parseTranscriptLine(JSON.stringify({ type: 'system', subtype: 'turn_duration', durationMs: 5 }));
    assert.equal(end?.kind, 'turn-end');
    assert.equal(parseTranscriptLine('{"type":"user",'), null);
  });
  it('the folder of a working directory', () => {
    assert.equal(
      transcriptDir('/root/.claude/', '/root/work/my_repo.git'),
      '/root/.claude/projects/-root-work-my-repo-git',
    );
  });
});

describe('verdict', () => {
  const sha = canonicalSha256('the directive').sha256;
  const prompt = (source: 'hook' | 'transcript', s: string, session = 's1'): AgentRecord => ({
    kind: 'prompt',
    source,
    at: 't',
    session,
    ...canonicalSha256(s),
  });
  it('no receipt for another text; counts the other prompts', () => {
    const v = judgeTurn([prompt('hook', 'someone else')], sha);
    assert.equal(v.receipt, undefined);
    assert.equal(v.otherPrompts, 1);
  });
  it('a receipt, then the turn error after it (not one before it)', () => {
    const v = judgeTurn(
      [
        { kind: 'turn-error', source: 'hook', at: 't', session: 's1', error: 'rate_limit' },
        prompt('hook', 'the directive'),
        { kind: 'turn-error', source: 'hook', at: 't', session: 's1', error: 'authentication_failed' },
      ],
      sha,
    );
    assert.equal(v.receipt?.source, 'hook');
    assert.equal(v.error?.error, 'authentication_failed');
  });
  it('a turn that ended well; the hook wins over the transcript', () => {
    const v = judgeTurn(
      [
        prompt('transcript', 'the directive'),
        prompt('hook', 'the directive'),
        { kind: 'turn-end', source: 'hook', at: 't', session: 's1' },
      ],
      sha,
    );
    assert.equal(v.receipt?.source, 'hook');
    assert.equal(v.ended, true);
    assert.equal(v.error, undefined);
  });
  it('the next prompt ends the search for the turn outcome', () => {
    const v = judgeTurn(
      [
        prompt('hook', 'the directive'),
        prompt('hook', 'next'),
        { kind: 'turn-error', source: 'hook', at: 't', session: 's1', error: 'overloaded' },
      ],
      sha,
    );
    assert.equal(v.error, undefined);
    assert.equal(v.ended, false);
  });
});
