/**
 * The input gate: every refused class with its offset, line and column, the normalisation,
 * the size limit, and the byte path (strict UTF-8) against Node's own fatal decoder.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_JOB_DIRECTIVE_BYTES,
  MAX_TEXT_BYTES,
  firstInvalidUtf8,
  formatRefusal,
  gateBytes,
  gateText,
  type GateProblem,
  type GateRefused,
  type GateResult,
} from '../../src/contracts/text-gate';

function refused(r: GateResult, kind: GateProblem): GateRefused {
  assert.equal(r.ok, false, `expected a refusal (${kind}), got ${JSON.stringify(r).slice(0, 200)}`);
  if (r.ok) throw new Error('unreachable');
  assert.equal(r.kind, kind, r.problem);
  return r;
}

function accepted(r: GateResult): string {
  assert.equal(r.ok, true, r.ok ? '' : formatRefusal(r));
  if (!r.ok) throw new Error('unreachable');
  return r.text;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('text gate: strings (workflow side)', () => {
  it('accepts ordinary text, TAB, LF, Unicode and emoji unchanged', () => {
    const t = 'Please run the tests.\n\tthen report ünïcødé ✓ 😀\n"quoted" \\ back $(x) ; && C-m';
    assert.equal(accepted(gateText(t)), t);
    const r = gateText(t);
    assert.ok(r.ok);
    assert.equal(r.bytes, utf8(t).length);
  });

  it('refuses an empty and a whitespace-only text', () => {
    assert.equal(refused(gateText(''), 'empty').problem, 'the text is empty');
    const ws = refused(gateText(' \t\n \r\n\u00a0\u3000'), 'whitespace-only');
    assert.match(ws.problem, /^the text holds only white space \(\d+ bytes\)$/);
    refused(gateText('\uFEFF'), 'whitespace-only');
  });

  it('refuses every C0 control except TAB, LF and CR, naming it and its byte offset, line and column', () => {
    for (let c = 0; c < 0x20; c++) {
      if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
      const r = refused(gateText(`ab\nü${String.fromCharCode(c)}x`), 'control');
      // "ab\n" is 3 bytes, "ü" 2: the control is at byte 5, line 2, column 2
      assert.equal(r.offset, 5, `0x${c.toString(16)}`);
      assert.equal(r.line, 2);
      assert.equal(r.column, 2);
      assert.match(r.problem, /at byte 5 \(line 2, column 2\)/);
    }
    const nul = refused(gateText('nul\0byte'), 'control');
    assert.equal(
      formatRefusal(nul),
      'the text holds the control character NUL (0x00, Ctrl-@) at byte 3 (line 1, column 4): only TAB and line breaks are allowed, any other control reaches the agent as a keystroke; remove it, or write its name out (e.g. "ESC" or "\\x1b") if the agent should read about it',
    );
    const esc = refused(gateText('before\x1b[201~after\r'), 'control');
    assert.match(esc.problem, /ESC \(0x1B, Ctrl-\[\) at byte 6 .*ESC \[201~ would end the paste early/);
    assert.match(refused(gateText('x\x03'), 'control').problem, /ETX \(0x03, Ctrl-C\)/);
  });

  it('refuses DEL and every C1 control', () => {
    assert.match(refused(gateText('a\x7f'), 'control').problem, /DEL \(0x7F\) at byte 1 /);
    for (let c = 0x80; c <= 0x9f; c++) {
      const r = refused(gateText(`é${String.fromCharCode(c)}`), 'control');
      assert.equal(r.offset, 2);
      assert.match(r.problem, new RegExp(`U\\+00${c.toString(16).toUpperCase()} \\(a C1 control character\\)`));
    }
    // U+00A0 (no-break space) is the first character after C1: allowed
    assert.equal(accepted(gateText('a\u00a0b')), 'a\u00a0b');
  });

  it('refuses a lone surrogate (high or low) with its offset', () => {
    const hi = refused(gateText('ab\uD800c'), 'lone-surrogate');
    assert.equal(hi.offset, 2);
    assert.match(hi.problem, /lone UTF-16 surrogate U\+D800 at byte 2 \(line 1, column 3\)/);
    const lo = refused(gateText('😀\uDC00'), 'lone-surrogate');
    assert.equal(lo.offset, 4);
    refused(gateText('end\uDBFF'), 'lone-surrogate');
  });

  it('refuses a leading "!" (bash mode) with a hint; a later "!" is text', () => {
    const r = refused(gateText('!rm -rf build\nmore'), 'bash-mode');
    assert.equal(
      formatRefusal(r),
      'the text starts with "!" at byte 0 (line 1, column 1): Claude Code would switch to bash mode and run the whole text as a shell command; to send it as text, start it with a word (e.g. "Run: !…"); to run a command on the peer, ask the agent to run it',
    );
    refused(gateText('\uFEFF!ls'), 'bash-mode');
    assert.equal(accepted(gateText('Run: !ls')), 'Run: !ls');
    assert.equal(accepted(gateText('Hello!')), 'Hello!');
  });

  it('refuses a first non-blank "/" (slash command), whatever white space comes before it', () => {
    const r = refused(gateText('/exit'), 'slash-command');
    assert.equal(
      formatRefusal(r),
      'the text starts with "/" at byte 0 (line 1, column 1): Claude Code would run "/exit" as a slash command; to send it as text, start it with a word (e.g. "Please read /path/to/file"); leading spaces or blank lines do not help',
    );
    const spaced = refused(gateText('  \n\t /compact now'), 'slash-command');
    assert.equal(spaced.offset, 5);
    assert.equal(spaced.line, 2);
    assert.equal(spaced.column, 3);
    assert.match(spaced.problem, /"\/compact"/);
    refused(gateText('\r\n/clear'), 'slash-command');
    assert.equal(accepted(gateText('Please read /etc/hosts')), 'Please read /etc/hosts');
  });

  it('embedded text (inside a longer message) may start with "!" or "/"; every other rule holds', () => {
    assert.equal(accepted(gateText('/retry with !fix', { embedded: true })), '/retry with !fix');
    assert.equal(accepted(gateText('!x\r\n', { embedded: true })), '!x\n');
    refused(gateText('/x\x1b', { embedded: true }), 'control');
    refused(gateText('  ', { embedded: true }), 'whitespace-only');
  });

  it('normalises CRLF and lone CR to LF and drops a leading BOM, once', () => {
    assert.equal(accepted(gateText('a\r\nb\rc\n\r\nd\r')), 'a\nb\nc\n\nd\n');
    assert.equal(accepted(gateText('\uFEFFhello\r\n')), 'hello\n');
    assert.equal(accepted(gateText('mid\uFEFFdle')), 'mid\uFEFFdle');
    const again = gateText(accepted(gateText('x\r\ny')));
    assert.deepEqual(again, { ok: true, text: 'x\ny', bytes: 3 });
    // the line count after a CRLF is the same as after an LF
    const r = refused(gateText('a\r\nb\rc\x07'), 'control');
    assert.deepEqual([r.offset, r.line, r.column], [6, 3, 2]);
  });

  it('refuses above the size limit (UTF-8 bytes after normalisation), accepts exactly at it', () => {
    assert.equal(MAX_TEXT_BYTES, 1_000_000);
    assert.ok(MAX_JOB_DIRECTIVE_BYTES < MAX_TEXT_BYTES);
    const at = 'a'.repeat(MAX_TEXT_BYTES);
    assert.equal(accepted(gateText(at)).length, MAX_TEXT_BYTES);
    const over = refused(gateText(`${at}b`), 'too-large');
    assert.equal(
      formatRefusal(over),
      'the text is 1,000,001 bytes of UTF-8; the limit is 1,000,000 bytes; split it into several sends, or put it in a file on the peer and send a short text that points to it',
    );
    // multi-byte characters count as their UTF-8 bytes; CRLF counts as one byte
    refused(gateText('é'.repeat(MAX_TEXT_BYTES / 2 + 1)), 'too-large');
    accepted(gateText('a\r\n'.repeat(MAX_TEXT_BYTES / 2)));
    // the size is checked first: a huge text with a control is "too large"
    refused(gateText(`\x1b${at}`), 'too-large');
    assert.match(
      refused(gateText('abc', { maxBytes: 2, what: 'the directive' }), 'too-large').problem,
      /^the directive is 3 bytes/,
    );
  });
});

describe('text gate: bytes (CLI side)', () => {
  it('decodes valid UTF-8 exactly (all planes) and applies the string rules', () => {
    const t = 'ASCII, é, €, 中文, 😀𝄞, \u{10FFFF}\nlast';
    assert.equal(accepted(gateBytes(utf8(t))), t);
    assert.equal(accepted(gateBytes(utf8('\uFEFFwin\r\ndows\r\n'))), 'win\ndows\n');
    const r = refused(gateBytes(utf8('line\r\nü\x1b[201~')), 'control');
    assert.deepEqual([r.offset, r.line, r.column], [8, 2, 2]);
    refused(gateBytes(new Uint8Array()), 'empty');
    refused(gateBytes(utf8('!echo hi')), 'bash-mode');
    refused(gateBytes(utf8('\n  /exit')), 'slash-command');
  });

  it('refuses invalid UTF-8 with the byte offset of the first bad sequence, line and column', () => {
    const cases: [number[], number, RegExp][] = [
      [[0x61, 0xff, 0x62], 1, /byte 0xFF never occurs in UTF-8/],
      [[0x61, 0x80], 1, /continuation byte with no lead byte/],
      [[0xc0, 0xaf], 0, /overlong/],
      [[0x61, 0x62, 0xe0, 0x80, 0xaf], 2, /overlong encoding/],
      [[0xed, 0xa0, 0x80], 0, /surrogate/],
      [[0xf4, 0x90, 0x80, 0x80], 0, /above U\+10FFFF/],
      [[0xf5, 0x80, 0x80, 0x80], 0, /never occurs/],
      [[0x61, 0xe2, 0x82], 1, /cut off at the end/],
      [[0xe2, 0x28, 0xa1], 0, /byte 0x28 at 1 does not continue it/],
      [[0x0a, 0xc3, 0xa9, 0xe9, 0x0a], 3, /0xE9/],
    ];
    for (const [bytes, offset, why] of cases) {
      const r = refused(gateBytes(Uint8Array.from(bytes)), 'invalid-utf8');
      assert.equal(r.offset, offset, JSON.stringify(bytes));
      assert.match(r.problem, why);
      assert.match(
        r.problem,
        new RegExp(`^the text is not valid UTF-8 at byte ${offset} \\(line \\d+, column \\d+\\)`),
      );
      assert.match(r.hint ?? '', /save it as UTF-8/);
    }
    const latin1 = refused(gateBytes(Uint8Array.from([0x6f, 0x6b, 0x0d, 0x0a, 0xe9, 0x74, 0xe9])), 'invalid-utf8');
    assert.deepEqual([latin1.offset, latin1.line, latin1.column], [4, 2, 1]);
  });

  it('agrees with the fatal TextDecoder on valid/invalid, for many random byte strings', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const interesting = [
      0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x8f, 0x90,
    ];
    for (let n = 0; n < 20000; n++) {
      const len = 1 + (rnd() % 6);
      const bytes = Uint8Array.from({ length: len }, () =>
        rnd() % 2 ? (interesting[rnd() % interesting.length] ?? 0) : rnd() % 256,
      );
      let valid = true;
      let decoded = '';
      try {
        decoded = fatal.decode(bytes);
      } catch {
        valid = false;
      }
      const bad = firstInvalidUtf8(bytes);
      assert.equal(bad === undefined, valid, `disagree on [${[...bytes].map((b) => b.toString(16)).join(' ')}]`);
      if (valid) {
        const r = gateBytes(bytes, { maxBytes: 100 });
        // whatever the gate decides, a refusal is never about UTF-8, and an accepted text is the decoded one
        if (r.ok) assert.equal(r.text, decoded.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, ''));
        else assert.notEqual(r.kind, 'invalid-utf8');
      }
    }
  });

  it('refuses too large before decoding, counting CRLF as one byte', () => {
    const big = new Uint8Array(MAX_TEXT_BYTES + 1).fill(0x61);
    big[10] = 0xff;
    const r = refused(gateBytes(big), 'too-large');
    assert.match(r.problem, /1,000,001 bytes/);
    const crlf = new Uint8Array(MAX_TEXT_BYTES + 2).fill(0x61);
    crlf[0] = 0x0d;
    crlf[1] = 0x0a;
    crlf[2] = 0x0d;
    crlf[3] = 0x0a;
    assert.equal(accepted(gateBytes(crlf)).length, MAX_TEXT_BYTES);
    const r2 = refused(gateBytes(utf8('abcdef'), { maxBytes: 5, what: 'notes.md' }), 'too-large');
    assert.match(r2.problem, /^notes\.md is 6 bytes of UTF-8; the limit is 5 bytes$/);
  });
});
