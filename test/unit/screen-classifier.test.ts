import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { ZodError } from 'zod';
import {
  classifyScreen,
  compilePatterns,
  defaultRawPatterns,
  dialogKind,
  errorKind,
  mergePatterns,
  patternsWithOverride,
  screenLines,
} from '../../src/tmux';
import type { Classification, KindPatternEntry, PatternEntry, RawScreenPatterns } from '../../src/tmux';

const DIR = join(__dirname, '..', 'fixtures', 'screens', 'claude-code-2.1.328');
/** The captures as handed over (read-only), next to the repository: ../shared/fixtures/… */
const SHARED_DIR = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'claude-code-2.1.328');
const read = (name: string): string => readFileSync(join(DIR, name), 'utf8');
const classify = (name: string): Classification => classifyScreen(read(name));

type Expected = Partial<Classification> & Pick<Classification, 'state'>;

/**
 * Every captured screen of Claude Code 2.1.328 and what it must classify as, with the words of
 * the README that comes with the captures (../shared/fixtures/claude-code-2.1.328/README.md).
 * `readme` must match that README's state cell, so a changed README fails here until this table
 * follows it.
 */
const CAPTURED: Record<string, { want: Expected; readme: RegExp; deviation?: string }> = {
  'idle.txt': { want: { state: 'idle', input: '', busy: false, queued: false, turnsDone: 0 }, readme: /^idle\b/ },
  'text-in-input.txt': {
    want: { state: 'text-in-input', input: 'typed but not yet sent' },
    readme: /^text-in-input\b/,
  },
  'working.txt': { want: { state: 'working', input: '', busy: true, queued: false }, readme: /^working\b/ },
  'done.txt': { want: { state: 'idle', input: '', turnsDone: 1, promptEchoes: 2 }, readme: /^idle \(turn finished/ },
  'paste-collapsed.txt': {
    want: { state: 'text-in-input', input: '[Pasted text #4 +299 lines]' },
    readme: /^text-in-input\b/,
  },
  'queued-while-working.txt': {
    want: { state: 'working', input: '', queued: true },
    readme: /^working, with a queued message/,
  },
  'after-queue.txt': {
    want: { state: 'idle', input: '', queued: false, turnsDone: 2 },
    readme: /^the queued message was then taken as the next turn$/,
  },
  '401-retrying.txt': { want: { state: 'error:oauth', input: '', busy: true }, readme: /^error:oauth\b/ },
  '401-final.txt': { want: { state: 'error:oauth', input: '', busy: false }, readme: /^error:oauth\b/ },
  'dialog-trust.txt': { want: { state: 'dialog:trust', input: null }, readme: /^dialog:trust\b/ },
  '401-first-100ms-plain-spinner.txt': {
    want: { state: 'working', input: '', busy: true },
    readme: /^not distinguishable from working by the screen alone/,
  },
  '401-attempt1-generic-api-error-retrying.txt': {
    want: { state: 'error:api', input: '', busy: true },
    readme: /^error \(the turn is retrying a failed API call\), never an ack$/,
  },
  '401-final.ansi.txt': {
    want: { state: 'error:oauth', input: '', busy: false },
    readme: /^error:oauth, input empty$/,
  },
  '429-rate-limit-final.txt': {
    want: { state: 'error:rate_limit', input: '', busy: false },
    readme: /^error \(rate limit\), input empty$/,
  },
  '429-rate-limit-final.ansi.txt': {
    want: { state: 'error:rate_limit', input: '', busy: false },
    readme: /^error \(rate limit\), input empty$/,
  },
  'working-with-typed-input.txt': {
    want: { state: 'working', input: 'third message C, queued behind A2', busy: true },
    readme: /^working, with text in the input$/,
  },
  'paste-with-tabs-inline.txt': {
    want: { state: 'working', input: '', busy: true },
    readme: /^idle; the agent itself rewrites TABs$/,
    deviation:
      'the README calls it idle, but the capture was taken mid-turn: a spinner line (`✽ Hashing…`) and `esc to interrupt` in the footer, the same markers as working.txt',
  },
  'idle-fresh-session-agents-footer.txt': {
    want: { state: 'idle', input: '', busy: false },
    readme: /^idle$/,
  },
  'startup-blank-unknown.txt': { want: { state: 'unknown', input: null }, readme: /^unknown \(keep waiting\)$/ },
};

/**
 * The contract tests' captures (test/contract/FINDINGS.md §4, written by test/contract/facts.ts),
 * plain and escape-coded: both must read the same.
 */
const CONTRACT: Record<string, Expected> = {
  'contract-401-first-frame-hook-running': { state: 'working', busy: true, input: '' },
  'contract-401-generic-api-error-retrying': { state: 'error:api', busy: true, input: '' },
  'contract-401-oauth-retrying': { state: 'error:oauth', busy: true, input: '' },
  'contract-401-final-placeholder': { state: 'error:oauth', busy: false, input: '' },
  'contract-429-final-empty-box': { state: 'error:rate_limit', busy: false, input: '' },
  // the `500 … · retrying in 3s · attempt 3/10` line: an API call being retried, not a working turn
  'contract-500-retrying-attempt3': { state: 'error:api', busy: true, input: '' },
  // after --continue the restored history's latest turn is the old 429
  'contract-continue-after-errors': { state: 'error:rate_limit', busy: false, input: '' },
  'contract-dialog-trust': { state: 'dialog:trust', input: null },
  // an OAuth 429: the agent waits for the reset and continues by itself (FINDINGS §1b)
  'contract-oauth-429-usage-limit-auto-continue': { state: 'error:usage_limit', busy: false, input: '' },
  'contract-oauth-429-waiting-idle': { state: 'error:usage_limit', busy: false, input: '' },
};

/** Every fixture and what it must classify as (a new fixture without a row fails the suite). */
const EXPECTED: Record<string, Expected> = {
  ...Object.fromEntries(Object.entries(CAPTURED).map(([file, c]) => [file, c.want])),
  ...Object.fromEntries(
    Object.entries(CONTRACT).flatMap(([name, want]) => [
      [`${name}.txt`, want],
      [`${name}.ansi.txt`, want],
    ]),
  ),
  'contract-paste-collapsed-6-lines.txt': { state: 'text-in-input', input: '[Pasted text #2 +6 lines]' },
  'contract-paste-inline-3-lines.txt': { state: 'text-in-input', input: 'first line\nsecond line\nthird line' },
  'contract-queued-while-working.txt': { state: 'working', busy: true, input: '', queued: true },
  'idle.txt': { state: 'idle', input: '', queued: false, turnsDone: 0, promptEchoes: 1 },
  'synthetic-permission.txt': { state: 'dialog:permission', input: null },
  'synthetic-permission-edit.txt': { state: 'dialog:permission', input: null },
  'synthetic-usage-limit.txt': { state: 'dialog:usage-limit', input: null },
  'synthetic-api-error.txt': { state: 'error:api', input: '' },
  'synthetic-multiline-input.txt': {
    state: 'text-in-input',
    input: 'first line of the directive\nsecond line with $(x) and "quotes"\nthird line',
  },
  'synthetic-old-turn-errors.txt': { state: 'idle', input: '', turnsDone: 2, promptEchoes: 4 },
};

function assertClassifies(capture: string, want: Expected, what = ''): void {
  const got = classifyScreen(capture);
  const picked = Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof Classification]]));
  assert.deepEqual(picked, want, `${what}evidence: ${got.evidence}`);
  assert.notEqual(got.evidence, '', 'a decision names its evidence');
}

/** Why the handed-over captures cannot be read (a checkout without ../shared), else false. */
function sharedSkip(): string | false {
  return existsSync(join(SHARED_DIR, 'README.md')) ? false : `no captures at ${SHARED_DIR}`;
}

/** The README's table rows: file (first cell) → state (last cell); `a.txt / .ansi.txt` names both. */
function readmeRows(readme: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readme.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !/\.txt\b/.test(cells[1] ?? '')) continue;
    const [first, ...more] = (cells[1] ?? '').split(' / ');
    const state = cells[cells.length - 2] ?? '';
    rows.set(first ?? '', state);
    for (const alt of more) rows.set((first ?? '').replace(/\.txt$/, alt.replace(/^\./, '.')), state);
  }
  return rows;
}

void describe('every capture in ../shared/fixtures/claude-code-2.1.328 classifies as its README says', () => {
  const skip = sharedSkip();

  void it('the README names every capture and this table follows the README', { skip }, () => {
    const rows = readmeRows(readFileSync(join(SHARED_DIR, 'README.md'), 'utf8'));
    const files = readdirSync(SHARED_DIR).filter((f) => f.endsWith('.txt'));
    assert.deepEqual([...rows.keys()].sort(), files.sort(), 'README rows vs files');
    assert.deepEqual(Object.keys(CAPTURED).sort(), files.sort(), 'this table vs files');
    for (const [file, state] of rows) {
      const row = CAPTURED[file];
      assert.ok(row, `${file}: no expectation`);
      assert.match(state, row.readme, `${file}: the README's state changed`);
    }
  });

  for (const [file, { want, deviation }] of Object.entries(CAPTURED)) {
    void it(`${file} → ${want.state}${deviation ? ' (see deviation)' : ''}`, { skip }, () => {
      assertClassifies(readFileSync(join(SHARED_DIR, file), 'utf8'), want, deviation ? `${deviation}; ` : '');
    });
  }
});

void describe('classifyScreen on the Claude Code 2.1.328 fixtures', () => {
  void it('has an expectation for every fixture file and a file for every expectation', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));
    assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    void it(`${file} → ${want.state}`, () => {
      assertClassifies(read(file), want);
    });
  }

  void it('the copies here are the handed-over captures, byte for byte', { skip: sharedSkip() }, () => {
    for (const file of readdirSync(SHARED_DIR).filter((f) => f.endsWith('.txt'))) {
      assert.ok(existsSync(join(DIR, file)), `${file} has no copy in ${DIR}`);
      assert.equal(read(file), readFileSync(join(SHARED_DIR, file), 'utf8'), file);
    }
  });

  void it('gives the deciding line as evidence', () => {
    assert.match(classify('working.txt').evidence, /esc to interrupt/);
    assert.match(classify('401-final.txt').evidence, /API Error: 401/);
    assert.match(classify('401-retrying.txt').evidence, /OAuth token has expired/);
    assert.match(classify('dialog-trust.txt').evidence, /trust this folder/);
  });
});

type Group = 'placeholders' | 'working' | 'spinner' | 'queued' | 'errors' | 'dialogs';
const SCALARS = ['ruleLine', 'inputPrompt', 'inputContinuation', 'promptEcho', 'turnDone'] as const;

function withGroup(group: Group, entries: PatternEntry[] | KindPatternEntry[]): RawScreenPatterns {
  return { ...defaultRawPatterns, [group]: entries };
}

function fixtureOf(e: PatternEntry): string {
  assert.ok(e.fixture, `pattern ${e.pattern} names no fixture`);
  assert.ok(existsSync(join(DIR, e.fixture)), `fixture ${e.fixture} of pattern ${e.pattern} is missing`);
  return read(e.fixture);
}

void describe('every pattern in patterns/claude-code.json is exercised by its fixture', () => {
  for (const key of SCALARS) {
    const e = defaultRawPatterns[key];
    void it(`${key}: ${e.pattern} matches a line of ${e.fixture}`, () => {
      const re = new RegExp(e.pattern, 'u');
      assert.ok(screenLines(fixtureOf(e)).some((l) => re.test(l)));
    });
  }

  for (const group of ['errors', 'dialogs'] as const) {
    for (const e of defaultRawPatterns[group]) {
      const prefix = group === 'errors' ? 'error' : 'dialog';
      void it(`${group}: ${e.pattern} alone turns ${e.fixture} into ${prefix}:${e.kind}`, () => {
        const text = fixtureOf(e);
        assert.equal(classifyScreen(text, compilePatterns(withGroup(group, [e]))).state, `${prefix}:${e.kind}`);
        assert.notEqual(classifyScreen(text, compilePatterns(withGroup(group, []))).state, `${prefix}:${e.kind}`);
      });
    }
  }

  /** Working markers: the footer's and the spinner's; each entry alone must make its fixture working. */
  for (const group of ['working', 'spinner'] as const) {
    for (const e of defaultRawPatterns[group]) {
      void it(`${group}: ${e.pattern} alone makes ${e.fixture} working`, () => {
        const text = fixtureOf(e);
        const only = { ...defaultRawPatterns, working: [], spinner: [], [group]: [e] };
        const none = { ...defaultRawPatterns, working: [], spinner: [] };
        assert.equal(classifyScreen(text, compilePatterns(only)).state, 'working');
        assert.notEqual(classifyScreen(text, compilePatterns(none)).state, 'working');
      });
    }
  }

  for (const e of defaultRawPatterns.queued) {
    void it(`queued: ${e.pattern} alone finds the queued message in ${e.fixture}`, () => {
      const text = fixtureOf(e);
      assert.equal(classifyScreen(text, compilePatterns(withGroup('queued', [e]))).queued, true);
      assert.equal(classifyScreen(text, compilePatterns(withGroup('queued', []))).queued, false);
    });
  }

  for (const e of defaultRawPatterns.placeholders) {
    void it(`placeholders: ${e.pattern} alone empties the input in ${e.fixture}`, () => {
      const text = fixtureOf(e);
      assert.equal(classifyScreen(text, compilePatterns(withGroup('placeholders', [e]))).input, '');
      assert.notEqual(classifyScreen(text, compilePatterns(withGroup('placeholders', []))).input, '');
    });
  }
});

/** idle.txt with the input box line replaced. */
function idleWithBox(...boxLines: string[]): string {
  const lines = read('idle.txt').split('\n');
  lines.splice(47, 1, ...boxLines);
  return lines.join('\n');
}

void describe('classifyScreen rules', () => {
  void it('ignores dialog, 401 and API-error words from earlier turns', () => {
    const c = classify('synthetic-old-turn-errors.txt');
    assert.equal(c.state, 'idle');
    // the same words in the latest turn do count
    const text = read('synthetic-old-turn-errors.txt').replace(
      '● Acknowledged. Working on it.',
      '● API Error: 529 Overloaded',
    );
    assert.equal(classifyScreen(text).state, 'error:api');
  });

  void it('reads a multi-line input without the continuation indent', () => {
    const c = classifyScreen(idleWithBox('❯\u00a0alpha', '  beta', '    gamma (indented)'));
    assert.equal(c.state, 'text-in-input');
    assert.equal(c.input, 'alpha\nbeta\n  gamma (indented)');
  });

  void it('treats a placeholder alone as an empty box (idle)', () => {
    for (const p of [
      'Press up to edit queued messages',
      'Once fixed, resend your message',
      'Resend your message to try again',
    ]) {
      const c = classifyScreen(idleWithBox(`❯\u00a0${p}`));
      assert.equal(c.state, 'idle', p);
      assert.equal(c.input, '');
    }
    // text that merely contains a placeholder is typed text
    const typed = classifyScreen(idleWithBox('❯\u00a0Press up to edit queued messages please'));
    assert.equal(typed.state, 'text-in-input');
  });

  void it('tells a placeholder by its dim styling in an escape-coded capture, not by its words', () => {
    const noList = compilePatterns({ ...defaultRawPatterns, placeholders: [] });
    for (const file of ['401-final.ansi.txt', '429-rate-limit-final.ansi.txt']) {
      const text = read(file);
      assert.ok(text.includes('❯\u00a0\x1b[7m') && text.includes('\x1b[0;2m'), `${file}: cursor letter, then dim`);
      const c = classifyScreen(text, noList);
      assert.equal(c.input, '', file);
      assert.match(c.state, /^error:/, file);
      // the same words drawn normally are typed text (someone typed the placeholder's words)
      const typed = classifyScreen(text.replace('\x1b[0;2m', '\x1b[0m'));
      assert.equal(typed.state, 'text-in-input', file);
      assert.match(typed.input ?? '', /^(Once fixed, resend your message|Resend your message to try again)$/);
    }
  });

  void it('reads other dim text in the box as a placeholder and normal text next to it as typed', () => {
    const box = (inner: string): string =>
      `\x1b[38;5;244m${'─'.repeat(40)}\n\x1b[39m❯\u00a0${inner}\n\x1b[38;5;244m${'─'.repeat(40)}\x1b[39m\n  footer\n`;
    assert.equal(classifyScreen(box('\x1b[2mAsk anything\x1b[22m')).input, '');
    assert.equal(classifyScreen(box('\x1b[7mA\x1b[27m\x1b[2msk anything\x1b[0m')).input, '');
    assert.equal(classifyScreen(box('go \x1b[2mon\x1b[0m')).input, 'go on');
    assert.equal(classifyScreen(box('hello\x1b[7m \x1b[0m')).input, 'hello');
    // a cursor on a one-letter text is not a placeholder (nothing dim)
    assert.equal(classifyScreen(box('\x1b[7mx\x1b[0m')).input, 'x');
    // a dim placeholder over two lines
    const two = box('\x1b[2mfirst\n  second\x1b[0m');
    assert.equal(classifyScreen(two).input, '');
    // a plain capture falls back to the known phrases
    assert.equal(classifyScreen(stripVTControlCharacters(box('Once fixed, resend your message'))).input, '');
  });

  void it('gives the same reading of a screen with and without its escape codes', () => {
    for (const file of ['401-final.ansi.txt', '429-rate-limit-final.ansi.txt']) {
      const styled = classify(file);
      const plain = classifyScreen(stripVTControlCharacters(read(file)));
      assert.deepEqual(plain, styled, file);
    }
    const plain429 = classify('429-rate-limit-final.txt');
    const styled429 = classify('429-rate-limit-final.ansi.txt');
    assert.deepEqual([styled429.state, styled429.input], [plain429.state, plain429.input]);
  });

  void it('calls a turn retrying a failed API call an error, never working', () => {
    for (const file of ['401-attempt1-generic-api-error-retrying.txt', '401-retrying.txt']) {
      assert.match(read(file), /esc to interrupt$/m, file);
      const c = classify(file);
      assert.match(c.state, /^error:/, file);
      assert.equal(c.busy, true, file);
      assert.match(c.evidence, /retrying in \d+s · attempt \d+\/10/, file);
    }
    assert.equal(classify('401-attempt1-generic-api-error-retrying.txt').state, 'error:api');
    // a 401 retried with other words is still a 401
    const other = read('401-retrying.txt').replace('401 OAuth token has expired.', '401 Invalid bearer token.');
    assert.equal(classifyScreen(other).state, 'error:oauth');
    // the first frame of a failing turn cannot be told from a healthy one (the README says so)
    assert.equal(classify('401-first-100ms-plain-spinner.txt').state, 'working');
  });

  void it('reads the spinner as working while text sits in the box (no esc to interrupt)', () => {
    const c = classify('working-with-typed-input.txt');
    assert.doesNotMatch(read('working-with-typed-input.txt'), /esc to interrupt/);
    assert.deepEqual(
      [c.state, c.input, c.busy, c.evidence],
      ['working', 'third message C, queued behind A2', true, '✢ Prestidigitating…'],
    );
    // a spinner-like line that is not the latest turn's last unindented line does not count
    const answered = read('working-with-typed-input.txt').replace(
      '✢ Prestidigitating…',
      '✢ Prestidigitating…\n● Done.',
    );
    assert.equal(classifyScreen(answered).state, 'text-in-input');
    // finished-turn and retry lines are not spinners
    assert.equal(classify('done.txt').busy, false);
  });

  void it('accepts a plain space after the prompt glyph too', () => {
    assert.equal(classifyScreen(idleWithBox('❯ hello')).input, 'hello');
  });

  void it('calls an empty capture, a blank screen and a shell prompt unknown', () => {
    for (const capture of ['', '\n'.repeat(50), 'user@peer:~/project$ \n\n\n']) {
      const c = classifyScreen(capture);
      assert.equal(c.state, 'unknown');
      assert.equal(c.input, null);
    }
    assert.equal(classifyScreen('user@peer:~/project$ \n').evidence, 'user@peer:~/project$');
  });

  void it('strips ANSI escape codes before matching', () => {
    // colours and bold everywhere; a placeholder drawn as Claude Code draws it (cursor, then dim)
    const colour = (s: string): string =>
      s
        .split('\n')
        .map((l) => (l === '' ? l : `\x1b[38;5;246m${l.replace('❯', '\x1b[1m❯\x1b[22m')}\x1b[39m`))
        .join('\n')
        .replace('❯\x1b[22m\u00a0Once fixed', '❯\x1b[22m\u00a0\x1b[7mO\x1b[0;2m\x1b[39mnce fixed');
    for (const file of ['idle.txt', 'working.txt', 'text-in-input.txt', '401-final.txt', 'dialog-trust.txt']) {
      const plain = classify(file);
      const coloured = classifyScreen(colour(read(file)));
      assert.deepEqual(coloured, plain, file);
    }
  });

  void it('counts finished turns on a done screen', () => {
    assert.ok(classify('done.txt').turnsDone >= 1);
    assert.equal(classify('working.txt').turnsDone, 0);
  });

  void it('lets an error beat working (a 401 being retried shows esc to interrupt)', () => {
    const c = classify('401-retrying.txt');
    assert.equal(c.state, 'error:oauth');
    assert.match(read('401-retrying.txt'), /esc to interrupt/);
  });

  void it('lets typed text beat an error left from the previous send', () => {
    const text = read('401-final.txt').replace('Once fixed, resend your message', 'the new directive');
    const c = classifyScreen(text);
    assert.equal(c.state, 'text-in-input');
    assert.equal(c.input, 'the new directive');
  });

  void it('never reads a dialog while the input box is there', () => {
    const lines = read('idle.txt').split('\n');
    lines.splice(40, 1, 'Do you want to proceed?', 'Yes, I trust this folder');
    assert.equal(classifyScreen(lines.join('\n')).state, 'idle');
  });

  void it('gives the kind of a dialog or error state', () => {
    assert.equal(dialogKind('dialog:trust'), 'trust');
    assert.equal(dialogKind('idle'), null);
    assert.equal(errorKind('error:oauth'), 'oauth');
    assert.equal(errorKind('dialog:trust'), null);
  });
});

void describe('screen patterns data', () => {
  void it('puts override arrays before the defaults and replaces scalars', () => {
    const merged = mergePatterns(defaultRawPatterns, {
      dialogs: [{ kind: 'custom', pattern: 'Pick a colour' }],
      working: ['esc to cancel'],
      footerMaxLines: 5,
    });
    assert.deepEqual(merged.dialogs[0], { kind: 'custom', pattern: 'Pick a colour' });
    assert.deepEqual(merged.dialogs.slice(1), defaultRawPatterns.dialogs);
    assert.deepEqual(merged.working, [{ pattern: 'esc to cancel' }, ...defaultRawPatterns.working]);
    assert.equal(merged.footerMaxLines, 5);
    assert.deepEqual(merged.ruleLine, defaultRawPatterns.ruleLine);
  });

  void it('classifies with an override from a config file', () => {
    const p = patternsWithOverride({
      working: ['esc to cancel'],
      dialogs: [{ kind: 'custom', pattern: 'Pick a colour' }],
    });
    const working = read('working.txt').replace('esc to interrupt', 'esc to cancel').replace('✢ Booping…', '● Booping');
    assert.equal(classifyScreen(working).state, 'idle');
    assert.equal(classifyScreen(working, p).state, 'working');
    assert.equal(
      classifyScreen('────────────────────────────────────────\n Pick a colour\n ❯ red\n', p).state,
      'dialog:custom',
    );
    // an override entry is tried before the defaults
    const first = patternsWithOverride({ errors: [{ kind: 'expired', pattern: '^(?:\\S )?Please run /login' }] });
    assert.equal(classifyScreen(read('401-final.txt'), first).state, 'error:expired');
  });

  void it('rejects bad pattern data with a ZodError', () => {
    assert.throws(() => patternsWithOverride({ working: ['(unclosed'] }), ZodError);
    assert.throws(() => patternsWithOverride({ dialogs: [{ kind: 'Bad Kind', pattern: 'x' }] }), ZodError);
    assert.throws(() => patternsWithOverride({ wroking: ['typo'] }), ZodError);
    assert.throws(() => compilePatterns({ ...defaultRawPatterns, footerMaxLines: 0 }), ZodError);
  });

  void it('keeps the compiled data for later merges', () => {
    const p = compilePatterns(defaultRawPatterns);
    assert.deepEqual(p.raw, defaultRawPatterns);
  });
});
