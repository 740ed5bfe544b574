/**
 * Small text helpers for the stand-in agent's screen: terminal column widths, wrapping,
 * turning raw input bytes into printable text, and the clock shown in `done h:mm PM`.
 */

/** Columns a code point takes in a terminal: 0 for combining marks, 2 for wide ones. */
export function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** Cuts `s` so it takes at most `width` columns. */
export function truncate(s: string, width: number): string {
  let w = 0;
  let out = '';
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width) break;
    w += cw;
    out += ch;
  }
  return out;
}

/**
 * Hard-wraps one line into pieces of at most `width` columns; pieces after the first start
 * with `indent`. Breaks at the last space when there is one in the piece (word wrap).
 */
export function wrapLine(line: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  let rest = line;
  let prefix = '';
  const room = Math.max(1, width);
  while (textWidth(prefix + rest) > room) {
    const avail = Math.max(1, room - textWidth(prefix));
    let piece = truncate(rest, avail);
    if (piece.length === 0) piece = Array.from(rest)[0] ?? '';
    const space = piece.lastIndexOf(' ');
    if (space > 0 && piece.length < rest.length && rest[piece.length] !== ' ') piece = piece.slice(0, space);
    out.push(prefix + piece);
    rest = rest.slice(piece.length).replace(/^ /, '');
    prefix = indent;
  }
  out.push(prefix + rest);
  return out;
}

/** Decodes raw input bytes (a latin1 "byte string") as UTF-8. */
export function bytesToText(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Splits text on any line break (CRLF, CR or LF). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Number of line breaks (CRLF counts once). */
export function countLineBreaks(text: string): number {
  return splitLines(text).length - 1;
}

/** Makes one line printable: tabs become spaces up to the next 8-column stop, controls go. */
export function printable(line: string, startColumn = 0): string {
  let out = '';
  let col = startColumn;
  for (const ch of line) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\t') {
      const n = 8 - (col % 8);
      out += ' '.repeat(n);
      col += n;
    } else if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      continue;
    } else {
      out += ch;
      col += charWidth(cp);
    }
  }
  return out;
}

/** `2:17 PM` in local time. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const h = d.getHours();
  const m = String(d.getMinutes()).padStart(2, '0');
  return `${h % 12 === 0 ? 12 : h % 12}:${m} ${h < 12 ? 'AM' : 'PM'}`;
}
