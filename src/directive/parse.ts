/**
 * Parsing a Markdown directive into its seven parts. Pure code (no Node builtins), so the CLI and
 * workflows can both use it.
 *
 * Two formats, which may be mixed; a part counts once it is present in either (when both give it,
 * the front-matter text comes first, then the section's):
 *
 * (a) Headings, any level, case-insensitive, optionally numbered (`## 4. Forks`):
 *       Context (Context line, Background) · Goal (Goals, Objective) · Phases (Plan, Steps) ·
 *       Decision rule (Decision rules, Decisions, Forks, Fork) · Phone-home triggers (Phone home,
 *       Phone-homes) · Budget (Budgets, Limits) · Commit (What to commit [and where], Commits,
 *       Deliverables).
 *     A heading names a part when it starts with one of these words (`## Decision rule for forks`);
 *     text after a `:` or a dash belongs to the part (`## Budget: 4h, 200k tokens`). The section
 *     runs to the next heading of the same or a higher level, or to the next part heading; deeper
 *     headings (`### Phase 1`) stay inside it. The title is front matter `title`, else the first
 *     heading before the first part heading that names no part (`# Directive: GPU thermal baseline`).
 *
 * (b) YAML front matter between `---` lines at the very top (closed by `---` or `...`), with keys
 *     context, goal, phases, decisionRule, phoneHome, budget, commit (the same synonyms work,
 *     in camelCase, snake_case or kebab-case: `phoneHomeTriggers`, `decision_rule`) and title.
 *     Values may be text, lists or maps; they are turned into Markdown (a list becomes `- ` items,
 *     a map `key: value` lines) and checked like section text. Unknown keys are ignored.
 *
 * HTML comments (`<!-- … -->`) never count as content.
 */
import { parse as parseYaml } from 'yaml';
import { hasContent, plainInline, scanLines, stripComments } from './markdown';
import { matchPartName, PART_NAMES } from './parts';
import type { PartName } from './parts';

export interface ParsedPart {
  /** Found (heading or key) with some text in it. */
  present: boolean;
  /** A heading or key named it, text or not. */
  named: boolean;
  text: string;
}

export interface ParsedDirective {
  title: string | null;
  parts: Record<PartName, ParsedPart>;
  /** Why the front matter could not be read, or null. */
  frontMatterError: string | null;
}

export function parseDirective(source: string): ParsedDirective {
  const fromFrontMatter = emptyLists();
  const fromSections = emptyLists();
  const named = new Set<PartName>();
  const { yaml, body } = splitFrontMatter(stripComments(source.replace(/^\uFEFF/, '')));

  let title: string | null = null;
  let frontMatterError: string | null = null;
  if (yaml !== null) {
    const read = readFrontMatter(yaml);
    frontMatterError = read.error;
    for (const [key, value] of Object.entries(read.data)) {
      if (normaliseKey(key) === 'title') {
        if (typeof value === 'string' && value.trim() !== '') title = value.trim();
        continue;
      }
      const match = matchPartName(key);
      if (!match) continue;
      named.add(match.part);
      const listy = match.part === 'phases' || match.part === 'phoneHome';
      fromFrontMatter[match.part].push(toMarkdown(listy && isMap(value) ? mapToList(value) : value));
    }
  }

  let current: { part: PartName; level: number } | null = null;
  let seenPart = false;
  for (const line of scanLines(body)) {
    const h = line.heading;
    if (h) {
      const match = matchPartName(h.title);
      if (match) {
        current = { part: match.part, level: h.level };
        named.add(match.part);
        seenPart = true;
        if (match.rest !== '') fromSections[match.part].push(match.rest);
        continue;
      }
      if (!seenPart && title === null && h.title !== '') title = plainInline(h.title).trim();
      if (current && h.level <= current.level) current = null;
    }
    if (current) fromSections[current.part].push(line.text);
  }

  const parts = Object.fromEntries(
    PART_NAMES.map((p) => {
      const text = [...fromFrontMatter[p], fromSections[p].join('\n')]
        .map((block) => block.trim())
        .filter((block) => block !== '')
        .join('\n\n');
      return [p, { present: hasContent(text), named: named.has(p), text }];
    }),
  ) as Record<PartName, ParsedPart>;
  return { title, parts, frontMatterError };
}

/** Front matter (the YAML text, or null when there is none) and the Markdown after it. */
export function splitFrontMatter(text: string): { yaml: string | null; body: string } {
  const lines = text.split(/\r?\n/);
  if ((lines[0] ?? '').trimEnd() !== '---') return { yaml: null, body: text };
  const end = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)\s*$/.test(l));
  if (end < 0) return { yaml: null, body: text };
  return { yaml: lines.slice(1, end).join('\n'), body: lines.slice(end + 1).join('\n') };
}

function readFrontMatter(yaml: string): { data: Record<string, unknown>; error: string | null } {
  let value: unknown;
  try {
    value = parseYaml(yaml);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    return { data: {}, error: `not valid YAML: ${first}` };
  }
  if (value === null || value === undefined) return { data: {}, error: null };
  if (!isMap(value)) return { data: {}, error: 'expected `key: value` lines (context, goal, phases, …)' };
  return { data: value, error: null };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normaliseKey(key: string): string {
  return key.trim().toLowerCase();
}

/** `{ Idle: "…", Load: "…" }` → `["Idle: …", "Load: …"]`, so a map of phases is a list of phases. */
function mapToList(map: Record<string, unknown>): unknown[] {
  return Object.entries(map).map(([k, v]) => (isMap(v) || Array.isArray(v) ? { [k]: v } : `${k}: ${scalar(v)}`));
}

/** A YAML value as Markdown: lists become `- ` items, maps `key: value` lines, nested values indented. */
export function toMarkdown(value: unknown): string {
  if (Array.isArray(value)) {
    return value
      .map((item) => toMarkdown(item))
      .filter((item) => item.trim() !== '')
      .map((item) => `- ${indent(item).trimStart()}`)
      .join('\n');
  }
  if (isMap(value)) {
    return Object.entries(value)
      .map(([k, v]) => (isMap(v) || Array.isArray(v) ? `${k}:\n${indent(toMarkdown(v))}` : `${k}: ${scalar(v)}`))
      .join('\n');
  }
  return scalar(value);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
}

function emptyLists(): Record<PartName, string[]> {
  return Object.fromEntries(PART_NAMES.map((p) => [p, [] as string[]])) as Record<PartName, string[]>;
}
