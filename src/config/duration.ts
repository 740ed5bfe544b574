import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `30s`, `4h`, `1h30m`, `2d` (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new Error(`not a duration: ${input}`);
    return input;
  }
  const s = input.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const match of s.matchAll(re)) {
    if (match.index !== consumed) break;
    total += Number(match[1]) * (UNITS[match[2] ?? ''] ?? NaN);
    consumed += match[0].length;
  }
  if (consumed !== s.length || consumed === 0 || !Number.isFinite(total)) {
    throw new Error(`not a duration: "${input}" (use e.g. 500ms, 30s, 5m, 4h, 2d)`);
  }
  return Math.round(total);
}

/** Formats milliseconds the way a person reads them: 850ms, 12.3s, 4m05s, 3h20m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalS = Math.round(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)}m${String(totalS % 60).padStart(2, '0')}s`;
  const totalM = Math.round(totalS / 60);
  if (totalM < 48 * 60) return `${Math.floor(totalM / 60)}h${String(totalM % 60).padStart(2, '0')}m`;
  return `${Math.round(totalM / 60 / 24)}d`;
}

/** A zod field for a duration given as text ("4h") or milliseconds; parses to milliseconds. */
export const durationSchema = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
