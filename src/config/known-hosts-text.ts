/**
 * known_hosts as read from the controller's disk, leniently: see decodeKnownHosts. Files a person
 * edits in general are read strictly by text-file.ts.
 */
import { bomAt, decodeUtf16, type TextEncoding } from './encodings';

/** One stretch of known_hosts in one encoding, with the lines of the decoded text it covers. */
export interface KnownHostsPart {
  encoding: TextEncoding;
  /** The stretch began with a byte-order mark. */
  bom: boolean;
  firstLine: number;
  lastLine: number;
}

export interface KnownHostsText {
  text: string;
  /** The stretches in file order; one for a file written in one encoding. */
  parts: KnownHostsPart[];
  /** Lines that held bytes invalid in their encoding (decoded as U+FFFD, so they match no key). */
  damagedLines: number[];
}

/**
 * known_hosts read leniently, for Windows: UTF-8, UTF-16 LE/BE with or without BOM, and the
 * mixed file Windows PowerShell 5.1 leaves after `ssh-keyscan HOST >> known_hosts` (a UTF-8
 * start, then UTF-16 LE lines, sometimes with a BOM in the middle), or the reverse (a UTF-16
 * file that OpenSSH or Git Bash later appended UTF-8 lines to).
 *
 * Every stretch is decoded in its own encoding; NULs are not just deleted, which would turn a
 * UTF-16 character outside ASCII into garbage and hide where the file went wrong. A stretch
 * boundary is found from facts that hold because known_hosts is ASCII by nature:
 * - a BOM (`EF BB BF`, `FF FE`, `FE FF`) anywhere names what follows (a host, key or comment
 *   never holds U+FEFF, and `FF`/`FE` never occur in UTF-8);
 * - in UTF-8 a 0 byte never occurs, so the first one is the high byte of the first UTF-16 LE
 *   code unit, which began one byte before it (a 0 right at the start of a stretch is UTF-16 BE);
 *   UTF-16 BE without a BOM in the middle of a file is not something any tool writes;
 * - in UTF-16 an appended line starts with an ASCII character (host, `|`, `@`, `#`, `[`), so
 *   a code unit at a line start whose two bytes are both non-zero ASCII is the start of
 *   appended UTF-8. Only checked at line starts: inside a line a UTF-16 comment may hold any
 *   character.
 * Never throws: a line whose bytes are invalid in their encoding costs that line only, as a
 * line OpenSSH cannot parse is skipped there too; `damagedLines` says which.
 */
export function decodeKnownHosts(bytes: Uint8Array): KnownHostsText {
  const d = new Stretches();
  let i = 0;
  while (i < bytes.length) {
    const bom = bomAt(bytes, i);
    if (bom) {
      d.switchTo(bom.encoding, true);
      i += bom.length;
    } else if (d.mode === 'utf-8') {
      i = utf8Stretch(bytes, i, d);
    } else {
      i = utf16Stretch(bytes, i, d, d.mode);
    }
  }
  const text = d.chunks.join('');
  return { text, parts: partsOf(text, d.spans), damagedLines: damagedLinesOf(text) };
}

interface Span {
  encoding: TextEncoding;
  bom: boolean;
  /** Where the stretch starts and ends in the decoded text (UTF-16 units, end exclusive). */
  start: number;
  end: number;
}

/** The text decoded so far, which encoding each stretch of it came in, and the encoding now read. */
class Stretches {
  readonly chunks: string[] = [];
  readonly spans: Span[] = [];
  private length = 0;
  lastChar = '\n';
  mode: TextEncoding = 'utf-8';
  private modeBom = false;

  emit(s: string): void {
    if (s.length === 0) return;
    const span = this.spans[this.spans.length - 1];
    if (span && span.encoding === this.mode && span.bom === this.modeBom && span.end === this.length) {
      span.end += s.length;
    } else {
      this.spans.push({ encoding: this.mode, bom: this.modeBom, start: this.length, end: this.length + s.length });
    }
    this.chunks.push(s);
    this.length += s.length;
    this.lastChar = s[s.length - 1] ?? this.lastChar;
  }

  switchTo(encoding: TextEncoding, bom: boolean): void {
    this.mode = encoding;
    this.modeBom = bom;
  }
}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * UTF-8 from `i` up to a BOM or the first 0 byte (UTF-16 starts there: LE one byte before it,
 * BE when the 0 is the stretch's first byte). Returns where to read on.
 */
function utf8Stretch(bytes: Uint8Array, i: number, d: Stretches): number {
  const n = bytes.length;
  let j = i;
  while (j < n && bytes[j] !== 0 && !(j > i && bomAt(bytes, j))) j++;
  if (j < n && bytes[j] === 0) {
    if (j === i) {
      d.switchTo('utf-16be', false);
      return i;
    }
    d.emit(UTF8.decode(bytes.subarray(i, j - 1)));
    d.switchTo('utf-16le', false);
    return j - 1;
  }
  d.emit(UTF8.decode(bytes.subarray(i, j)));
  return j;
}

/**
 * UTF-16 from `i` up to a BOM, or a line start whose code unit is two non-zero ASCII bytes
 * (appended UTF-8). A lone last byte is a cut-off code unit. Returns where to read on.
 */
function utf16Stretch(bytes: Uint8Array, i: number, d: Stretches, mode: 'utf-16le' | 'utf-16be'): number {
  const n = bytes.length;
  const le = mode === 'utf-16le';
  let atLineStart = d.lastChar === '\n';
  let j = i;
  let next: TextEncoding | undefined;
  while (j + 1 < n) {
    if (j > i && bomAt(bytes, j)) break;
    const lo = (le ? bytes[j] : bytes[j + 1]) ?? 0;
    const hi = (le ? bytes[j + 1] : bytes[j]) ?? 0;
    if (atLineStart && lo !== 0 && hi !== 0 && lo < 0x80 && hi < 0x80) {
      next = 'utf-8';
      break;
    }
    atLineStart = hi === 0 && lo === 0x0a;
    j += 2;
  }
  d.emit(decodeUtf16(bytes.subarray(i, j), mode, false) ?? '');
  if (!next && j === n - 1) {
    d.emit('\uFFFD'); // a lone last byte: a cut-off code unit
    j = n;
  }
  if (next) d.switchTo(next, false);
  return j;
}

/** The stretches with the lines of the text they cover. */
function partsOf(text: string, spans: readonly Span[]): KnownHostsPart[] {
  const lineAt = (offset: number): number => {
    let line = 1;
    for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 0x0a) line++;
    return line;
  };
  return spans.map((s) => ({
    encoding: s.encoding,
    bom: s.bom,
    firstLine: lineAt(s.start),
    lastLine: lineAt(s.end - 1),
  }));
}

/** Lines (1-based) holding U+FFFD: bytes invalid in their encoding. */
function damagedLinesOf(text: string): number[] {
  const damaged: number[] = [];
  text.split('\n').forEach((l, k) => {
    if (l.includes('\uFFFD')) damaged.push(k + 1);
  });
  return damaged;
}
