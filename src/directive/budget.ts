/**
 * Reading a Budget part: a wall-clock duration and a token cap, both required.
 *
 * Wall clock: `4h`, `90m`, `1h30m`, `1h 30m`, `2.5h`, `2 hours`, `90 minutes`, `1 hour and 30 minutes`,
 * `1d`. When several durations appear, the first after a "wall clock" / "time" / "duration" /
 * "deadline" on the same line wins (else the first on that line, else the first in the text).
 * Token cap: `200k tokens`, `1.5M tokens`, `300,000 tokens`, `200k total tokens`, `tokens: 300000`,
 * `token cap: 200k`, `tokenCap: 200000`, `maxTokens: 1.5M`. The first one in the text wins.
 * Token expressions are read first and blanked out, so `1.5M tokens` is never read as 1.5 minutes.
 */

export interface Budget {
  wallClockMs: number | null;
  tokens: number | null;
}

const NUMBER = String.raw`(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)`;
const MULTIPLIER = String.raw`(k|m|thousand|million)?`;
// On one line, so `wallClock: 90m` followed by `tokens: 300000` is not read as 90M tokens.
const TOKENS_AFTER = new RegExp(String.raw`${NUMBER}[ \t]*${MULTIPLIER}[ \t]*(?:[a-z-]+[ \t]+)?tokens?\b`, 'gi');
const TOKENS_BEFORE = new RegExp(
  String.raw`\b(?:max[\s_-]*)?tokens?(?:[\s_-]*(?:cap|budget|limit|max(?:imum)?))?\s*(?:[:=]|\bof\b|\bis\b|\bat\b)?\s*${NUMBER}\s*${MULTIPLIER}(?![a-z\d])`,
  'gi',
);

const DURATION_PAIR = /(\d+(?:\.\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])/gi;
const UNIT_MS: Readonly<Record<'d' | 'h' | 'm' | 's', number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const WALL_CLOCK_KEYWORD = /wall[\s_-]*clock|\btime\b|duration|deadline/i;

export function parseBudget(text: string): Budget {
  const tokenMatch = firstTokenMatch(text);
  const rest = tokenMatch ? blank(text, tokenMatch.ranges) : text;
  return { wallClockMs: parseWallClock(rest), tokens: tokenMatch?.value ?? null };
}

/** The token cap in a text, or null. */
export function parseTokenCap(text: string): number | null {
  return firstTokenMatch(text)?.value ?? null;
}

/** The wall clock in a text, in milliseconds, or null (token expressions are not durations). */
export function parseWallClock(text: string): number | null {
  const tokens = firstTokenMatch(text);
  const source = tokens ? blank(text, tokens.ranges) : text;
  for (const line of source.split('\n')) {
    const keyword = WALL_CLOCK_KEYWORD.exec(line);
    if (!keyword) continue;
    // `every 30m; wall clock: 3h` → 3h: the duration after the keyword first, else any on its line.
    const ms = firstDuration(line.slice(keyword.index + keyword[0].length)) ?? firstDuration(line);
    if (ms !== null) return ms;
  }
  return firstDuration(source);
}

function firstTokenMatch(text: string): { value: number; ranges: [number, number][] } | null {
  const found: { index: number; end: number; value: number }[] = [];
  for (const re of [TOKENS_AFTER, TOKENS_BEFORE]) {
    for (const m of text.matchAll(re)) {
      const value = toNumber(m[1] ?? '', m[2]);
      if (value !== null) found.push({ index: m.index, end: m.index + m[0].length, value });
    }
  }
  if (found.length === 0) return null;
  found.sort((a, b) => a.index - b.index);
  // Every token expression is blanked out before durations are read, not only the first.
  return { value: found[0]?.value ?? 0, ranges: found.map((f) => [f.index, f.end]) };
}

function toNumber(digits: string, multiplier: string | undefined): number | null {
  const n = Number(digits.replace(/,/g, ''));
  if (!Number.isFinite(n)) return null;
  const m = (multiplier ?? '').toLowerCase();
  const factor = m === 'k' || m === 'thousand' ? 1e3 : m === 'm' || m === 'million' ? 1e6 : 1;
  return Math.round(n * factor);
}

function blank(text: string, ranges: [number, number][]): string {
  let out = text;
  for (const [start, end] of ranges) out = out.slice(0, start) + ' '.repeat(end - start) + out.slice(end);
  return out;
}

/** The first run of duration pairs (`1h30m`, `1 hour and 30 minutes`), units strictly decreasing. */
function firstDuration(text: string): number | null {
  let total: number | null = null;
  let lastEnd = -1;
  let lastUnit = Infinity;
  for (const m of text.matchAll(DURATION_PAIR)) {
    const unit = UNIT_MS[unitKey(m[2] ?? '')];
    const value = Number(m[1]) * unit;
    const joined = total !== null && /^\s*(?:and\s+)?$/i.test(text.slice(lastEnd, m.index)) && unit < lastUnit;
    if (total !== null && !joined) break;
    total = (total ?? 0) + value;
    lastEnd = m.index + m[0].length;
    lastUnit = unit;
  }
  return total === null ? null : Math.round(total);
}

function unitKey(unit: string): keyof typeof UNIT_MS {
  const u = unit.toLowerCase();
  if (u.startsWith('d')) return 'd';
  if (u.startsWith('h')) return 'h';
  if (u.startsWith('m')) return 'm';
  return 's';
}
