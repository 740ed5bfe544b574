/**
 * The little Markdown a directive needs: lines with fenced code marked (a `#` inside a fence is not
 * a heading), ATX headings, top-level list items, phases, sentences and HTML comments. Pure code.
 */

export interface Line {
  text: string;
  /** Inside a fenced code block (the fence lines included). */
  inFence: boolean;
  heading: { level: number; title: string } | null;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})\s*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
/** A list item: indent, marker (`-`, `*`, `+`, `1.`, `1)`), its text. */
const ITEM = /^( *)(?:[-*+]|\d{1,3}[.)])[ \t]+(.*)$/;
/** A gate mention: verify / verified / verification / gate / gated. */
const GATE = /\b(?:verif(?:y|ies|ied|ying|ication)|gates?|gated)\b/i;

export function scanLines(text: string): Line[] {
  const out: Line[] = [];
  let fence: { ch: string; len: number } | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\t/g, '    ');
    if (fence) {
      const close = FENCE_CLOSE.exec(line)?.[1];
      if (close !== undefined && close[0] === fence.ch && close.length >= fence.len) fence = null;
      out.push({ text: line, inFence: true, heading: null });
      continue;
    }
    const open = FENCE_OPEN.exec(line)?.[1];
    if (open !== undefined) {
      fence = { ch: open[0] ?? '`', len: open.length };
      out.push({ text: line, inFence: true, heading: null });
      continue;
    }
    const h = HEADING.exec(line);
    out.push({
      text: line,
      inFence: false,
      heading: h ? { level: (h[1] ?? '#').length, title: (h[2] ?? '').trim() } : null,
    });
  }
  return out;
}

export function stripComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, '');
}

/** True when the text has something besides whitespace and HTML comments. */
export function hasContent(text: string): boolean {
  return stripComments(text).trim() !== '';
}

/**
 * The top-level list items of a text (the least indented ones), each with the lines that follow
 * it up to the next top-level item; text before the first item is left out.
 */
export function listItems(text: string): string[] {
  const lines = scanLines(text);
  let indent = Infinity;
  for (const l of lines) {
    const m = l.inFence ? null : ITEM.exec(l.text);
    if (m) indent = Math.min(indent, (m[1] ?? '').length);
  }
  if (indent === Infinity) return [];
  const items: string[][] = [];
  for (const l of lines) {
    const m = l.inFence ? null : ITEM.exec(l.text);
    if (m && (m[1] ?? '').length === indent) items.push([m[2] ?? '']);
    else items.at(-1)?.push(l.text.trim());
  }
  return items.map((lines) => lines.join('\n').trim()).filter((item) => item !== '');
}

export interface Phase {
  /** How a report names it: the subheading, or `phase 2 "Load ramp"`. */
  label: string;
  text: string;
  /** Mentions verify / gate. */
  gated: boolean;
}

const PHASE_START = /^\s*(?:\*\*|__)?phase\b/i;

/**
 * The phases of a Phases part, recognised in this order: subheadings (`### Phase 2 — Load`; the
 * shallowest level found splits), top-level list items (when some start with "Phase", only those
 * start a phase and the other items belong to the one before), paragraphs starting with "Phase".
 * Anything else is one phase.
 */
export function splitPhases(text: string): Phase[] {
  const lines = scanLines(stripComments(text));
  const levels = lines.flatMap((l) => (l.heading ? [l.heading.level] : []));
  if (levels.length > 0) {
    const level = Math.min(...levels);
    const blocks: { title: string; lines: string[] }[] = [];
    for (const l of lines) {
      if (l.heading?.level === level) blocks.push({ title: l.heading.title, lines: [l.heading.title] });
      else blocks.at(-1)?.lines.push(l.text);
    }
    return blocks.map((b, i) => phase(b.title || `phase ${i + 1}`, b.lines.join('\n')));
  }

  const items = listItems(text);
  if (items.length > 0) {
    const merged = items.some((item) => PHASE_START.test(item)) ? mergeUnlessPhase(items) : items;
    return merged.map((item, i) => phase(itemLabel(item, i), item));
  }

  const paragraphs: string[][] = [];
  for (const l of lines) {
    if (!l.inFence && PHASE_START.test(l.text)) paragraphs.push([l.text]);
    else paragraphs.at(-1)?.push(l.text);
  }
  if (paragraphs.length > 0) {
    return paragraphs.map((p, i) => phase(itemLabel(p.join('\n'), i), p.join('\n')));
  }
  return hasContent(text) ? [phase('phase 1', text)] : [];
}

function phase(label: string, text: string): Phase {
  return { label, text: text.trim(), gated: GATE.test(text) };
}

/** `phase 2 "Load ramp"`, or just `Phase B` when the item names itself. */
function itemLabel(text: string, index: number): string {
  const short = shortLabel(text);
  return /^phase\b/i.test(short) ? short : `phase ${index + 1} "${short}"`;
}

function mergeUnlessPhase(items: string[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (PHASE_START.test(item) || out.length === 0) out.push(item);
    else out[out.length - 1] += `\n${item}`;
  }
  return out;
}

/** The first words of an item, up to its first `:`, dash or full stop, at most 40 characters. */
export function shortLabel(text: string): string {
  const first = plainInline(text.split('\n')[0] ?? '').trim();
  const cut = /^(.+?)(?::|\s[—–-]\s|\.\s|\.$)/.exec(first)?.[1] ?? first;
  return cut.length > 40 ? `${cut.slice(0, 39).trimEnd()}…` : cut;
}

/** Inline Markdown marks dropped: emphasis, code ticks, links (their text kept). */
export function plainInline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|`)/g, '')
    .replace(/(^|\W)[*_](\S[^*_]*)[*_](?=\W|$)/g, '$1$2');
}

/** Abbreviations whose full stop does not end a sentence. */
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|vs|cf|approx|incl|resp|viz)\.$/i;
const SENTENCE_END = /[.!?]+["'”’)\]]*\s+(?=["'“‘([]?[A-Z0-9])/g;

/**
 * The sentences of a text. Paragraphs and list items are separate sentences even without a full
 * stop; inside one, a sentence ends at `.`, `!` or `?` followed by a space and a capital or digit,
 * except after an abbreviation (`e.g.`). Decimals and file names (`1.5`, `RESULTS.md`) never split.
 */
export function sentences(text: string): string[] {
  const chunks: string[][] = [];
  let current: string[] = [];
  const flush = (): void => {
    if (current.length > 0) chunks.push(current);
    current = [];
  };
  for (const l of scanLines(stripComments(text))) {
    if (l.inFence) continue;
    const item = ITEM.exec(l.text);
    if (l.text.trim() === '' || l.heading || item) flush();
    const body = (item ? (item[2] ?? '') : (l.heading?.title ?? l.text)).replace(/^\s*>\s?/, '').trim();
    if (body !== '') current.push(body);
  }
  flush();

  const out: string[] = [];
  for (const chunk of chunks) {
    const plain = plainInline(chunk.join(' ')).replace(/\s+/g, ' ').trim();
    let start = 0;
    for (const m of plain.matchAll(SENTENCE_END)) {
      const stop = m.index + m[0].length;
      if (m[0].startsWith('.') && ABBREVIATION.test(plain.slice(0, m.index + 1))) continue;
      out.push(plain.slice(start, stop).trim());
      start = stop;
    }
    const rest = plain.slice(start).trim();
    if (rest !== '') out.push(rest);
  }
  return out;
}
