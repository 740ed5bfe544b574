import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
const read = (name: string): string => readFileSync(join(DIR, name), 'utf8');
const classify = (name: string): Classification => classifyScreen(read(name));

/** Every fixture and what it must classify as (a new fixture without a row fails the suite). */
const EXPECTED: Record<string, Partial<Classification> & Pick<Classification, 'state'>> = {
  'idle.txt': { state: 'idle', input: '', queued: false, turnsDone: 0, promptEchoes: 1 },
  'text-in-input.txt': { state: 'text-in-input', input: 'typed but not yet sent' },
  'working.txt': { state: 'working', input: '', queued: false },
  'done.txt': { state: 'idle', input: '', turnsDone: 1, promptEchoes: 2 },
  'paste-collapsed.txt': { state: 'text-in-input', input: '[Pasted text #4 +299 lines]' },
  'queued-while-working.txt': { state: 'working', input: '', queued: true },
  'after-queue.txt': { state: 'idle', input: '', queued: false, turnsDone: 2 },
  '401-retrying.txt': { state: 'error:oauth', input: '' },
  '401-final.txt': { state: 'error:oauth', input: '' },
  'dialog-trust.txt': { state: 'dialog:trust', input: null },
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

void describe('classifyScreen on the Claude Code 2.1.328 fixtures', () => {
  void it('has an expectation for every fixture file and a file for every expectation', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));
    assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    void it(`${file} → ${want.state}`, () => {
      const got = classify(file);
      const picked = Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof Classification]]));
      assert.deepEqual(picked, want, `evidence: ${got.evidence}`);
      assert.notEqual(got.evidence, '', 'a decision names its evidence');
    });
  }

  void it('gives the deciding line as evidence', () => {
    assert.match(classify('working.txt').evidence, /esc to interrupt/);
    assert.match(classify('401-final.txt').evidence, /API Error: 401/);
    assert.match(classify('401-retrying.txt').evidence, /OAuth token has expired/);
    assert.match(classify('dialog-trust.txt').evidence, /trust this folder/);
  });
});

type Group = 'placeholders' | 'working' | 'queued' | 'errors' | 'dialogs';
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

  for (const e of defaultRawPatterns.working) {
    void it(`working: ${e.pattern} alone makes ${e.fixture} working`, () => {
      const text = fixtureOf(e);
      assert.equal(classifyScreen(text, compilePatterns(withGroup('working', [e]))).state, 'working');
      assert.notEqual(classifyScreen(text, compilePatterns(withGroup('working', []))).state, 'working');
    });
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
    for (const p of ['Press up to edit queued messages', 'Once fixed, resend your message']) {
      const c = classifyScreen(idleWithBox(`❯\u00a0${p}`));
      assert.equal(c.state, 'idle', p);
      assert.equal(c.input, '');
    }
    // text that merely contains a placeholder is typed text
    const typed = classifyScreen(idleWithBox('❯\u00a0Press up to edit queued messages please'));
    assert.equal(typed.state, 'text-in-input');
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
    const colour = (s: string): string =>
      s
        .split('\n')
        .map((l) => (l === '' ? l : `\x1b[38;5;246m${l.replace('❯', '\x1b[1m❯\x1b[22m')}\x1b[39m`))
        .join('\n');
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
    const working = read('working.txt').replace('esc to interrupt', 'esc to cancel');
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
