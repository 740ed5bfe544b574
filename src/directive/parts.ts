/**
 * The seven parts every directive must contain (reference protocol, "What every directive must
 * contain"), in the order a directive usually gives them, with the words that name each part in a
 * heading or a front-matter key.
 */
export const PART_NAMES = ['context', 'goal', 'phases', 'decisionRule', 'phoneHome', 'budget', 'commit'] as const;

export type PartName = (typeof PART_NAMES)[number];

/** Human labels, as printed in reports (`missing: Budget — …`). */
export const PART_LABELS: Readonly<Record<PartName, string>> = {
  context: 'Context',
  goal: 'Goal',
  phases: 'Phases',
  decisionRule: 'Decision rule',
  phoneHome: 'Phone-home triggers',
  budget: 'Budget',
  commit: 'Commit',
};

/** What a missing part should say, used as the message of a `missing` problem. */
export const PART_HINTS: Readonly<Record<PartName, string>> = {
  context: 'say what is blocked, what is orthogonal and what to ignore',
  goal: 'state the goal in one sentence',
  phases: 'list the phases with a verify gate between them',
  decisionRule: 'say what to do at each fork (e.g. if the gate passes go on, otherwise phone home)',
  phoneHome: 'list the conditions where the peer stops and writes inbox/<host>/PHONE-HOME-<topic>.md',
  budget: 'give a wall clock (e.g. 4h) and a token cap (e.g. 200k tokens)',
  commit: 'say what to commit and where (a path, a branch or a remote)',
};

/**
 * Words that name a part, compared after normalising (lower case, `-`/`_` and camelCase humps
 * become spaces). A heading or key names a part when it starts with one of these as whole words:
 * `## Decision rule for forks`, `phoneHomeTriggers:`.
 */
const SYNONYMS: Readonly<Record<PartName, readonly string[]>> = {
  context: ['context line', 'context', 'background'],
  goal: ['goal', 'goals', 'objective'],
  phases: ['phases', 'plan', 'steps'],
  decisionRule: ['decision rules', 'decision rule', 'decisions', 'forks', 'fork'],
  phoneHome: ['phone home triggers', 'phone home', 'phone homes', 'phonehome'],
  budget: ['budget', 'budgets', 'limits'],
  commit: ['what to commit and where', 'what to commit', 'commit and where', 'commits', 'commit', 'deliverables'],
};

/** Lower case, camelCase humps and `-`/`_` turned into spaces, inline Markdown marks dropped. */
export function normaliseName(name: string): string {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[*`]/g, '')
    .replace(/(?<=\w)[-_](?=\w)/g, ' ')
    .replace(/_/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Which part a heading or front-matter key names, and the text after a `:` or dash separator
 * (`## Budget: 4h, 200k tokens` gives `4h, 200k tokens`). A leading number (`## 4. Forks`) is ignored.
 */
export function matchPartName(name: string): { part: PartName; rest: string } | null {
  const norm = normaliseName(name).replace(/^\d+[.)]?\s+/, '');
  for (const part of PART_NAMES) {
    for (const synonym of SYNONYMS[part]) {
      if (norm === synonym || (norm.startsWith(synonym) && /^[^a-z0-9]/.test(norm.slice(synonym.length)))) {
        // Inline text only after a separator; take it from the original so its case and marks survive.
        const hasSeparator = /^\s*(?::|—|–|\s-\s)/.test(norm.slice(synonym.length));
        const sep = hasSeparator ? /:|—|–|\s-\s/.exec(name) : null;
        const rest = sep
          ? name
              .slice(sep.index + sep[0].length)
              .replace(/^[\s*_]+/, '')
              .trim()
          : '';
        return { part, rest };
      }
    }
  }
  return null;
}
