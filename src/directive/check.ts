/**
 * Checking a directive against the protocol's seven parts. `checkDirective` never throws: every
 * shortcoming is a problem with the part it concerns and a message saying what to write.
 *
 * Beyond presence: the goal is one sentence (a warning otherwise); with two or more phases, each
 * phase mentions a verify gate; the phone-home triggers are a non-empty list; the budget has both
 * a wall clock and a token cap (both parsed and returned); the commit part says where (a path, a
 * branch or a remote). `ok` is false when any problem is `missing` or `invalid`; warnings alone
 * leave it true.
 */
import { parseBudget } from './budget';
import { listItems, sentences, splitPhases } from './markdown';
import { parseDirective } from './parse';
import { PART_HINTS, PART_LABELS, PART_NAMES } from './parts';
import type { PartName } from './parts';

/** The part a problem concerns; `frontMatter` when the YAML at the top cannot be read. */
export type ProblemPart = PartName | 'frontMatter';

export interface DirectiveProblem {
  part: ProblemPart;
  /** `missing`: the part is absent or empty; `invalid`: present but not usable; `warning`: worth fixing. */
  kind: 'missing' | 'invalid' | 'warning';
  /** What to write, without the part label (`formatProblem` adds it). */
  message: string;
}

export interface DirectiveReport {
  ok: boolean;
  parts: Record<PartName, { present: boolean; text: string }>;
  problems: DirectiveProblem[];
  budget: { wallClockMs: number | null; tokens: number | null };
  title: string | null;
  /** From the title, else the goal: `[a-z0-9-]`, at most 40 characters, never empty. */
  slug: string;
  /** The phases found, with whether each names a verify gate. */
  phases: { label: string; gated: boolean }[];
  /** The phone-home triggers, one per list item. */
  phoneHomeTriggers: string[];
}

const WHERE_PATH =
  /(?:^|[\s`'"(])(?:~|\.{1,2})?\/?[\w.<>{}@-]+\/[\w.<>{}@*/-]*|\b[\w.<>-]+\.(?:md|jsonl?|csv|ya?ml|txt|log|py|ts|js|sh|ipynb|png|svg|parquet)\b/i;
const WHERE_REF = /\b(?:branch|remote|origin|upstream|main|master|push(?:ed)?\s+to|git\s+push)\b/i;

/** Problems are reported in the order of the parts (front matter first); sort is stable. */
const PROBLEM_ORDER: readonly ProblemPart[] = ['frontMatter', ...PART_NAMES];

export function checkDirective(text: string): DirectiveReport {
  const parsed = parseDirective(text);
  const problems: DirectiveProblem[] = [];
  if (parsed.frontMatterError !== null) {
    problems.push({ part: 'frontMatter', kind: 'invalid', message: parsed.frontMatterError });
  }

  for (const part of PART_NAMES) {
    const p = parsed.parts[part];
    if (!p.present) {
      const message = p.named ? `the section is empty; ${PART_HINTS[part]}` : PART_HINTS[part];
      problems.push({ part, kind: 'missing', message });
    }
  }
  const { goal, phases: phasesPart, phoneHome, budget: budgetPart, commit } = parsed.parts;

  if (goal.present) {
    const count = sentences(goal.text).length;
    if (count > 1) {
      problems.push({ part: 'goal', kind: 'warning', message: `write it as one sentence (found ${count})` });
    }
  }

  const phases = phasesPart.present ? splitPhases(phasesPart.text) : [];
  if (phases.length >= 2) {
    for (const phase of phases.filter((p) => !p.gated)) {
      problems.push({
        part: 'phases',
        kind: 'invalid',
        message: `${phase.label} has no verify gate; say what must hold before going on (e.g. "Verify: …")`,
      });
    }
  }

  const phoneHomeTriggers = phoneHome.present ? listItems(phoneHome.text) : [];
  if (phoneHome.present && phoneHomeTriggers.length === 0) {
    problems.push({
      part: 'phoneHome',
      kind: 'invalid',
      message: 'write the triggers as a list, one condition per item (`- any GPU reaches 85 °C`)',
    });
  }

  const budget = budgetPart.present ? parseBudget(budgetPart.text) : { wallClockMs: null, tokens: null };
  if (budgetPart.present) {
    const message = budgetProblem(budget);
    if (message !== null) problems.push({ part: 'budget', kind: 'invalid', message });
  }

  if (commit.present && !WHERE_PATH.test(commit.text) && !WHERE_REF.test(commit.text)) {
    problems.push({
      part: 'commit',
      kind: 'invalid',
      message: 'say where: a path (e.g. experiments/thermal/) or a branch or remote (e.g. branch main, remote origin)',
    });
  }

  const parts = Object.fromEntries(
    PART_NAMES.map((p) => [p, { present: parsed.parts[p].present, text: parsed.parts[p].text }]),
  ) as DirectiveReport['parts'];
  return {
    ok: problems.every((p) => p.kind === 'warning'),
    parts,
    problems: problems.sort((a, b) => PROBLEM_ORDER.indexOf(a.part) - PROBLEM_ORDER.indexOf(b.part)),
    budget,
    title: parsed.title,
    slug: slugify(parsed.title ?? sentences(goal.text)[0] ?? ''),
    phases: phases.map(({ label, gated }) => ({ label, gated })),
    phoneHomeTriggers,
  };
}

function budgetProblem({ wallClockMs, tokens }: DirectiveReport['budget']): string | null {
  if (wallClockMs === null && tokens === null) return PART_HINTS.budget;
  if (wallClockMs === null) return 'no wall clock found; give a duration such as 4h, 90m or 2 hours';
  if (tokens === null) return 'no token cap found; give one such as 200k tokens, 1.5M tokens or tokens: 300000';
  if (wallClockMs <= 0) return 'the wall clock must be more than zero';
  if (tokens <= 0) return 'the token cap must be more than zero';
  return null;
}

/** `missing: Budget — give a wall clock (e.g. 4h) and a token cap (e.g. 200k tokens)` */
export function formatProblem(problem: DirectiveProblem): string {
  const label = problem.part === 'frontMatter' ? 'Front matter' : PART_LABELS[problem.part];
  return `${problem.kind}: ${label} — ${problem.message}`;
}

/** One line per problem, in report order; an empty string when there is none. */
export function formatReport(report: DirectiveReport): string {
  return report.problems.map(formatProblem).join('\n');
}

/**
 * A slug for ids and file names: lower case ASCII letters, digits and single dashes, at most `max`
 * characters, cut at a word boundary when one is near; a leading "directive" word is dropped
 * (`# Directive: GPU thermal baseline` → `gpu-thermal-baseline`). `directive` when nothing is left.
 */
export function slugify(text: string, max = 40): string {
  let slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^directive-(?=.)/, '');
  if (slug.length > max) {
    const cut = slug.slice(0, max + 1);
    const dash = cut.lastIndexOf('-');
    slug = dash >= max / 2 ? cut.slice(0, dash) : slug.slice(0, max);
    slug = slug.replace(/-+$/, '');
  }
  return slug === '' ? 'directive' : slug;
}
