import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  checkDirective,
  formatReport,
  parseBudget,
  parseTokenCap,
  parseWallClock,
  PART_LABELS,
  PART_NAMES,
  slugify,
} from '../../src/directive';
import type { DirectiveReport, PartName } from '../../src/directive';

const root = join(__dirname, '..', '..');
const example = (name: string): string => readFileSync(join(root, 'examples', name), 'utf8');
const H = 3_600_000;
const M = 60_000;

/** A complete directive in headings, each part replaceable. */
function directive(over: Partial<Record<PartName, string | null>> = {}, head = '# Directive: test run\n'): string {
  const base: Record<PartName, string> = {
    context: '## Context\nNothing is blocked; ignore the inbox.',
    goal: '## Goal\nMeasure the idle temperature of both GPUs.',
    phases: '## Phases\n1. Log idle temps. Verify: 100 rows.\n2. Write RESULTS.md. Gate: numbers match the CSV.',
    decisionRule: '## Decision rule\nIf a gate fails twice, phone home.',
    phoneHome: '## Phone-home triggers\n- any GPU above 85 °C\n- a gate fails twice',
    budget: '## Budget\n1h wall clock, 50k tokens.',
    commit: '## Commit\nCommit `experiments/idle/` on branch main.',
  };
  const sections = PART_NAMES.map((p) => (over[p] === undefined ? base[p] : over[p])).filter((s) => s !== null);
  return `${head}\n${sections.join('\n\n')}\n`;
}

const problemParts = (r: DirectiveReport): string[] => r.problems.map((p) => p.part);

describe('directive check: examples', () => {
  it('the complete example passes, with its budget, phases and triggers read', () => {
    const r = checkDirective(example('directive.md'));
    assert.deepEqual(r.problems, [], formatReport(r));
    assert.equal(r.ok, true);
    assert.equal(formatReport(r), '');
    for (const p of PART_NAMES) assert.equal(r.parts[p].present, true, p);
    assert.deepEqual(r.budget, { wallClockMs: 2 * H, tokens: 150_000 });
    assert.equal(r.title, 'Directive: GPU thermal baseline at the production power cap');
    assert.equal(r.slug, 'gpu-thermal-baseline-at-the-production');
    assert.equal(r.phases.length, 5);
    assert.ok(r.phases.every((p) => p.gated));
    assert.equal(r.phoneHomeTriggers.length, 5);
    assert.match(r.parts.goal.text, /^Record an idle/);
  });

  it('the incomplete example lists exactly its two missing parts', () => {
    const r = checkDirective(example('directive-incomplete.md'));
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.part]),
      [
        ['missing', 'phoneHome'],
        ['missing', 'budget'],
      ],
    );
    assert.equal(
      formatReport(r),
      [
        'missing: Phone-home triggers — list the conditions where the peer stops and writes inbox/<host>/PHONE-HOME-<topic>.md',
        'missing: Budget — give a wall clock (e.g. 4h) and a token cap (e.g. 200k tokens)',
      ].join('\n'),
    );
    assert.deepEqual(r.budget, { wallClockMs: null, tokens: null });
  });

  it('an empty text misses all seven parts, in order', () => {
    const r = checkDirective('');
    assert.deepEqual(problemParts(r), [...PART_NAMES]);
    assert.equal(r.slug, 'directive');
    assert.equal(r.title, null);
  });

  it('every part has a human label', () => {
    assert.deepEqual(Object.keys(PART_LABELS).sort(), [...PART_NAMES].sort());
  });
});

describe('directive check: formats', () => {
  it('front matter only', () => {
    const text = [
      '---',
      'title: Idle thermal check',
      'context: Nothing blocked; ignore the rental notes.',
      'goal: Measure idle temperatures on both GPUs.',
      'phases:',
      '  - name: Log idle temps for 10 minutes',
      '    verify: at least 100 rows per GPU',
      '  - Write RESULTS.md; gate - the peaks match the CSV',
      'decisionRule: If a gate fails twice, phone home.',
      'phoneHome:',
      '  - any GPU above 85 °C',
      '  - the power limit changed',
      'budget:',
      '  wallClock: 90m',
      '  tokens: 300000',
      'commit: experiments/idle/ on branch main',
      '---',
      '',
    ].join('\n');
    const r = checkDirective(text);
    assert.deepEqual(r.problems, [], formatReport(r));
    assert.deepEqual(r.budget, { wallClockMs: 90 * M, tokens: 300_000 });
    assert.equal(r.title, 'Idle thermal check');
    assert.equal(r.slug, 'idle-thermal-check');
    assert.equal(r.phases.length, 2);
    assert.deepEqual(r.phoneHomeTriggers, ['any GPU above 85 °C', 'the power limit changed']);
  });

  it('front matter and headings mixed; a part counts once present in either', () => {
    const text = [
      '---',
      'goal: Measure idle temperatures on both GPUs.',
      'budget: 4h and 200k tokens',
      'phone_home_triggers: [GPU above 85 °C, load average above 3]',
      '---',
      directive({ goal: null, budget: null, phoneHome: null }, ''),
    ].join('\n');
    const r = checkDirective(text);
    assert.deepEqual(r.problems, [], formatReport(r));
    assert.deepEqual(r.budget, { wallClockMs: 4 * H, tokens: 200_000 });
    assert.equal(r.phoneHomeTriggers.length, 2);
    assert.equal(r.slug, 'measure-idle-temperatures-on-both-gpus', 'no title: slug from the goal');
  });

  it('synonyms, numbering, any heading level, any case, inline text after a colon', () => {
    const text = directive({
      context: '#### 1. CONTEXT LINE\nNothing blocked.',
      decisionRule: '### 4. Forks\nIf the gate fails, phone home.',
      phoneHome: '# Phone home\n* GPU above 85 °C',
      budget: '## Budget: 4h, 200k tokens',
      commit: '###### What to commit and where\n`RESULTS.md` to origin.',
    });
    const r = checkDirective(text);
    assert.deepEqual(r.problems, [], formatReport(r));
    assert.equal(r.parts.budget.text, '4h, 200k tokens');

    const other = checkDirective(
      directive({
        decisionRule: '## Decision rule for forks\nIf green, go on.',
        phoneHome: '## phone-home triggers\n- x',
      }),
    );
    assert.deepEqual(other.problems, [], formatReport(other));
  });

  it('a heading inside a code fence is not a part', () => {
    const text = directive({ budget: null, commit: '## Commit\nTo `main`:\n```sh\n## Budget 4h 200k tokens\n```' });
    const r = checkDirective(text);
    assert.deepEqual(problemParts(r), ['budget']);
  });

  it('a heading with no text is named as empty', () => {
    const r = checkDirective(directive({ context: '## Context\n<!-- what is blocked -->' }));
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.part, p.message.startsWith('the section is empty')]),
      [['missing', 'context', true]],
    );
  });

  it('unreadable front matter is a problem of its own, the rest is still checked', () => {
    const r = checkDirective(`---\ngoal: [unclosed\n---\n${directive()}`);
    assert.equal(r.ok, false);
    assert.deepEqual(problemParts(r), ['frontMatter']);
    assert.match(formatReport(r), /^invalid: Front matter — not valid YAML/);
  });
});

describe('directive check: goal, phases, triggers, commit', () => {
  it('a goal with several sentences is a warning; abbreviations, decimals and file names are not breaks', () => {
    const r = checkDirective(directive({ goal: '## Goal\nMeasure idle temps. Then run a burn. Then write it up!' }));
    assert.equal(r.ok, true, 'a warning alone does not fail the check');
    assert.deepEqual(r.problems, [{ part: 'goal', kind: 'warning', message: 'write it as one sentence (found 3)' }]);

    const oneSentence = '## Goal\nRun e.g. 1.5 h of load at 450 W on GPU 0 vs. GPU 1 and write RESULTS.md.';
    assert.deepEqual(checkDirective(directive({ goal: oneSentence })).problems, []);

    const asList = checkDirective(directive({ goal: '## Goal\n- measure idle\n- measure load' }));
    assert.deepEqual(problemParts(asList), ['goal']);
  });

  it('phases without a gate are named (list items)', () => {
    const phases =
      '## Phases\n1. Idle: log temps. Verify: 100 rows.\n2. Load ramp: burn for 15 min.\n3. Write-up: RESULTS.md.';
    const r = checkDirective(directive({ phases }));
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => p.message.split(' has ')[0]),
      ['phase 2 "Load ramp"', 'phase 3 "Write-up"'],
    );
    assert.match(formatReport(r), /^invalid: Phases — phase 2 "Load ramp" has no verify gate/);
  });

  it('phases without a gate are named (### Phase subheadings, nested bullets belong to their phase)', () => {
    const phases = [
      '## Phases',
      '### Phase 1 — Idle',
      '- log temps',
      '  - **Verify gate:** 100 rows',
      '### Phase 2 — Load',
      '- burn 15 min',
      '#### Notes',
      'watch the hot slot',
    ].join('\n');
    const r = checkDirective(directive({ phases }));
    assert.deepEqual(r.phases, [
      { label: 'Phase 1 — Idle', gated: true },
      { label: 'Phase 2 — Load', gated: false },
    ]);
    assert.deepEqual(
      r.problems.map((p) => p.message),
      ['Phase 2 — Load has no verify gate; say what must hold before going on (e.g. "Verify: …")'],
    );
  });

  it('a gate item between "Phase" items belongs to the phase before it; one phase needs no gate', () => {
    const phases = '## Phases\n- Phase A: idle log\n- Verify: 100 rows\n- Phase B: load\n- Gate: peaks below 85 °C';
    const r = checkDirective(directive({ phases }));
    assert.equal(r.phases.length, 2);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(checkDirective(directive({ phases: '## Phases\nJust log idle temps.' })).problems, []);
  });

  it('phases as "Phase N:" paragraphs are named by themselves', () => {
    const r = checkDirective(directive({ phases: '## Phases\nPhase 1: idle. Verify rows.\n\nPhase 2: load.' }));
    assert.deepEqual(r.phases, [
      { label: 'Phase 1', gated: true },
      { label: 'Phase 2', gated: false },
    ]);
    assert.deepEqual(
      r.problems.map((p) => p.message.split(' has ')[0]),
      ['Phase 2'],
    );
  });

  it('problems come in the order of the parts', () => {
    const r = checkDirective('## Commit\nsomewhere\n## Goal\nOne. Two.');
    assert.deepEqual(
      r.problems.map((p) => `${p.kind} ${p.part}`),
      [
        'missing context',
        'warning goal',
        'missing phases',
        'missing decisionRule',
        'missing phoneHome',
        'missing budget',
        'invalid commit',
      ],
    );
  });

  it('phone-home triggers must be a list', () => {
    const r = checkDirective(directive({ phoneHome: '## Phone-home triggers\nWhen anything looks odd.' }));
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.part]),
      [['invalid', 'phoneHome']],
    );
  });

  it('the commit part must say where', () => {
    const r = checkDirective(directive({ commit: '## Commit\nCommit the results when done.' }));
    assert.deepEqual(problemParts(r), ['commit']);
    for (const where of ['to `experiments/x/`', 'RESULTS.md', 'on branch thermal', 'and push to origin']) {
      assert.deepEqual(checkDirective(directive({ commit: `## Commit\nCommit ${where}.` })).problems, [], where);
    }
  });
});

describe('directive check: budget', () => {
  it('reads wall clocks', () => {
    const cases: [string, number][] = [
      ['4h', 4 * H],
      ['1h30m', 90 * M],
      ['1h 30m', 90 * M],
      ['90 minutes', 90 * M],
      ['90m', 90 * M],
      ['2 hours', 2 * H],
      ['2.5h', 2.5 * H],
      ['1 hour and 30 minutes', 90 * M],
      ['1d', 24 * H],
      ['checkpoint every 30m; wall clock: 3 hrs', 3 * H],
    ];
    for (const [text, ms] of cases) assert.equal(parseWallClock(text), ms, text);
    assert.equal(parseWallClock('as long as it takes'), null);
  });

  it('reads token caps', () => {
    const cases: [string, number][] = [
      ['200k tokens', 200_000],
      ['1.5M tokens', 1_500_000],
      ['tokens: 300000', 300_000],
      ['300,000 tokens', 300_000],
      ['token cap: 200k', 200_000],
      ['maxTokens: 1.5M', 1_500_000],
      ['about 120k total tokens', 120_000],
      ['200k tokens: a hard cap', 200_000],
    ];
    for (const [text, tokens] of cases) assert.equal(parseTokenCap(text), tokens, text);
    assert.equal(parseTokenCap('4h'), null);
  });

  it('reads both from one text, never taking "1.5M tokens" for minutes', () => {
    assert.deepEqual(parseBudget('1.5M tokens, 90m'), { wallClockMs: 90 * M, tokens: 1_500_000 });
    assert.deepEqual(parseBudget('- wall clock: 4h\n- tokens: 300000'), { wallClockMs: 4 * H, tokens: 300_000 });
    assert.deepEqual(parseBudget('1.5M tokens'), { wallClockMs: null, tokens: 1_500_000 });
  });

  it('names the half that is missing', () => {
    const noTokens = checkDirective(directive({ budget: '## Budget\n4h' }));
    assert.deepEqual(noTokens.budget, { wallClockMs: 4 * H, tokens: null });
    assert.match(formatReport(noTokens), /^invalid: Budget — no token cap found/);
    const noClock = checkDirective(directive({ budget: '## Budget\n200k tokens' }));
    assert.match(formatReport(noClock), /^invalid: Budget — no wall clock found/);
    const neither = checkDirective(directive({ budget: '## Budget\nbe quick' }));
    assert.equal(
      formatReport(neither),
      'invalid: Budget — give a wall clock (e.g. 4h) and a token cap (e.g. 200k tokens)',
    );
  });
});

describe('directive check: slug', () => {
  it('comes from the title, else the goal, in [a-z0-9-] and at most 40 characters', () => {
    assert.equal(slugify('Directive: GPU thermal baseline'), 'gpu-thermal-baseline');
    assert.equal(slugify('Température & fans — über check!'), 'temperature-fans-uber-check');
    assert.equal(slugify('  --  '), 'directive');
    const long = slugify('Record an idle, a single-card and a dual-card thermal baseline at 450 W');
    assert.ok(long.length <= 40, long);
    assert.match(long, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    assert.equal(long, 'record-an-idle-a-single-card-and-a-dual');
    assert.equal(slugify('x'.repeat(60)).length, 40);
    assert.equal(checkDirective(directive({}, '')).slug, 'measure-the-idle-temperature-of-both');
  });
});
