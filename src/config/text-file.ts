/**
 * Text files a person edits on the controller (peers.yaml, known_hosts, directive files, the
 * Claude credentials JSON), decoded from their bytes the way Windows tools really write them.
 *
 * Why: Windows PowerShell 5.1 writes UTF-16 LE with a byte-order mark for `>` and `Out-File`,
 * and its `>>` appends UTF-16 LE lines to whatever the file held; Notepad saves "UTF-8 with
 * BOM" or "Unicode" (UTF-16 LE). `readFile(f, 'utf8')` turns all of that into text full of NULs
 * and U+FFFD, silently, and the reader downstream then fails with a message about something else.
 *
 * decodeTextFile accepts UTF-8 (with or without BOM) and UTF-16 LE/BE with a BOM. It refuses,
 * naming the file and saying how to save it as UTF-8: invalid UTF-8 (a legacy code page such
 * as Windows-1252), UTF-16 without a BOM, NUL bytes. Line endings are left as they are: YAML
 * and the known_hosts parser read CRLF, and the input gate normalises a directive's.
 *
 * decodeKnownHosts is the lenient reader for known_hosts, which is ASCII by nature: it also
 * reads the mixed files `>>` leaves behind (see there).
 */
import { firstInvalidUtf8, lineColumn } from '../contracts/utf8';
import { quotePath, shellFor } from './quote';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** How a person names an encoding: `UTF-8`, `UTF-16 LE`, `UTF-16 BE`. */
export function encodingName(e: TextEncoding): string {
  return e === 'utf-8' ? 'UTF-8' : e === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE';
}

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  /** The bytes started with a byte-order mark. */
  bom: boolean;
}

export interface DecodeOptions {
  /** The file's path, for the command in the hint (default: the label). */
  path?: string;
  /**
   * Keep a leading BOM in `text` as U+FEFF. For a directive: the input gate drops it itself, so
   * that it is dropped exactly once, in one place, however the text came in.
   */
  keepBom?: boolean;
  /** Which shell the hint's command is for (default: this process's platform). */
  platform?: NodeJS.Platform;
}

/** A file that is not text in an encoding we read; `problem` and `hint` are one sentence each. */
export class TextFileRefused extends Error {
  constructor(
    readonly label: string,
    readonly problem: string,
    readonly hint: string,
  ) {
    super(`${problem}; ${hint}`);
    this.name = 'TextFileRefused';
  }
}

/**
 * How to save a file as UTF-8, for the shell a person on `platform` has: a command, and the
 * editor way. `from` is the encoding it is in when we know it (UTF-16 without BOM).
 */
export function saveAsUtf8Hint(
  path: string,
  opts: { from?: 'utf-16le' | 'utf-16be'; platform?: NodeJS.Platform } = {},
): string {
  const shell = shellFor(opts.platform);
  const p = quotePath(shell, path);
  const editor = 'or open it in your editor and save it with the encoding UTF-8';
  if (shell === 'powershell') {
    // Windows PowerShell's Get-Content reads a file without BOM in the ANSI code page, which is
    // what a non-UTF-8 file from a Windows tool is in. The parentheses read the whole file before
    // Set-Content truncates it: piped straight on, Set-Content fails on the file Get-Content still holds.
    const enc =
      opts.from === 'utf-16le' ? ' -Encoding Unicode' : opts.from === 'utf-16be' ? ' -Encoding BigEndianUnicode' : '';
    return `save it as UTF-8: in PowerShell (Get-Content${enc} -LiteralPath ${p}) | Set-Content -Encoding utf8 -LiteralPath ${p}, ${editor}`;
  }
  const tmp = quotePath(shell, `${path}.utf8`);
  const from = opts.from === 'utf-16le' ? 'UTF-16LE' : opts.from === 'utf-16be' ? 'UTF-16BE' : 'WINDOWS-1252';
  const which = opts.from ? '' : ' (after -f, the encoding it was written in)';
  return `save it as UTF-8: iconv -f ${from} -t UTF-8 ${p} > ${tmp} && mv ${tmp} ${p}${which}, ${editor}`;
}

/** The encoding a byte-order mark at `i` names, and its length. */
function bomAt(bytes: Uint8Array, i: number): { encoding: TextEncoding; length: number } | undefined {
  const [a, b, c] = [bytes[i], bytes[i + 1], bytes[i + 2]];
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

/**
 * UTF-16 without a BOM, told by its zero bytes: text in a Latin script has a 0 in every other
 * byte (the high byte of each code unit), which UTF-8 text never has. Looked at in the first
 * 512 code units; 3 in 4 with the zero on the same side is a clear sign, and a NUL or two in
 * UTF-8 text (refused later, with its own message) is not.
 */
export function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length < 2 || bytes.length % 2 !== 0 || bomAt(bytes, 0)) return undefined;
  const units = Math.min(bytes.length / 2, 512);
  let le = 0;
  let be = 0;
  for (let k = 0; k < units; k++) {
    const lo = bytes[2 * k] ?? 0;
    const hi = bytes[2 * k + 1] ?? 0;
    if (lo !== 0 && hi === 0) le++;
    else if (lo === 0 && hi !== 0) be++;
  }
  if (le * 4 >= units * 3) return 'utf-16le';
  if (be * 4 >= units * 3) return 'utf-16be';
  return undefined;
}

/** Whether bytes look like UTF-16 LE text by their zero bytes (length need not be even: a cut-off tail). */
function utf16Like(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false; // a NUL or two near the end is not a UTF-16 tail
  return utf16WithoutBom(bytes.subarray(0, bytes.length - (bytes.length % 2))) === 'utf-16le';
}

/** The UTF-16 encoding of these bytes, by BOM or by their zero bytes; undefined for anything else. */
export function utf16Signature(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const bom = bomAt(bytes, 0)?.encoding;
  if (bom === 'utf-16le' || bom === 'utf-16be') return bom;
  return utf16WithoutBom(bytes);
}

/** UTF-16 code units to a string; `fatal` refuses a lone surrogate (undefined) instead of U+FFFD. */
function decodeUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be', fatal: boolean): string | undefined {
  let le = bytes;
  if (encoding === 'utf-16be') {
    // Swapped by hand: 'utf-16be' in TextDecoder needs a Node built with full ICU.
    le = new Uint8Array(bytes.length);
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      le[i] = bytes[i + 1] ?? 0;
      le[i + 1] = bytes[i] ?? 0;
    }
  }
  try {
    return new TextDecoder('utf-16le', { fatal, ignoreBOM: true }).decode(le);
  } catch {
    return undefined;
  }
}

function refused(label: string, problem: string, hint: string): TextFileRefused {
  return new TextFileRefused(label, problem, hint);
}

/**
 * The text of a file a person edited, or TextFileRefused naming `label` and saying what to do.
 * A leading BOM is dropped (kept as U+FEFF with `keepBom`); nothing else is changed.
 */
export function decodeTextFile(bytes: Uint8Array, label: string, opts: DecodeOptions = {}): DecodedText {
  const path = opts.path ?? label;
  const platform = opts.platform;
  const bom = bomAt(bytes, 0);
  const keep = opts.keepBom ? '\uFEFF' : '';

  if (bom && bom.encoding !== 'utf-8') {
    const enc = bom.encoding;
    const body = bytes.subarray(bom.length);
    const text = body.length % 2 === 0 ? decodeUtf16(body, enc, true) : undefined;
    if (text === undefined) {
      throw refused(
        label,
        `${label} starts with a ${encodingName(enc)} byte-order mark but is not valid ${encodingName(enc)} (${body.length % 2 === 0 ? 'a broken surrogate pair' : 'an odd number of bytes'})`,
        saveAsUtf8Hint(path, { platform }),
      );
    }
    return { text: keep + text, encoding: enc, bom: true };
  }

  const guess = utf16WithoutBom(bytes);
  if (guess) {
    throw refused(
      label,
      `${label} looks like ${encodingName(guess)} without a byte-order mark (every other byte is 0), which is not read as text`,
      saveAsUtf8Hint(path, { from: guess, platform }),
    );
  }

  // A UTF-8 file with UTF-16 appended (Windows PowerShell 5.1's `>>`) fails at the first byte of
  // the UTF-16: a BOM (0xFF, never in UTF-8) or a 0 byte (never in text; the UTF-16 LE code unit
  // began one byte before it). Said as such, since "save it as UTF-8" would not repair it.
  const bad = firstInvalidUtf8(bytes);
  const nul = bytes.indexOf(0);
  const nulAt = nul >= 0 ? Math.max(0, nul - 1) : Infinity;
  const at = Math.min(nulAt, bad ? bad.offset : Infinity);
  if (at !== Infinity) {
    const bomThere = bomAt(bytes, at)?.encoding;
    const appended =
      bomThere === 'utf-16le' || bomThere === 'utf-16be' || (at === nulAt && utf16Like(bytes.subarray(at)));
    if (appended) {
      const { line, column } = lineColumn(bytes, at);
      throw refused(
        label,
        `${label} turns into UTF-16 at byte ${at} (line ${line}, column ${column}): text was appended to it in another encoding (Windows PowerShell 5.1's >> appends UTF-16)`,
        `delete everything from line ${line} on and type it again in your editor, saved as UTF-8 (in PowerShell, append with Add-Content, not >>)`,
      );
    }
  }
  if (bad) {
    const { line, column } = lineColumn(bytes, bad.offset);
    throw refused(
      label,
      `${label} is not valid UTF-8 at byte ${bad.offset} (line ${line}, column ${column}): ${bad.reason}`,
      saveAsUtf8Hint(path, { platform }),
    );
  }
  if (nul >= 0) {
    const { line, column } = lineColumn(bytes, nul);
    throw refused(
      label,
      `${label} holds a NUL byte at byte ${nul} (line ${line}, column ${column}), which a text file never does`,
      saveAsUtf8Hint(path, { platform }),
    );
  }

  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  const body = bom && !opts.keepBom ? text.slice(1) : text;
  return { text: body, encoding: 'utf-8', bom: bom !== undefined };
}

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
  const n = bytes.length;
  const chunks: string[] = [];
  const spans: { encoding: TextEncoding; bom: boolean; start: number; end: number }[] = [];
  let length = 0;
  let lastChar = '\n';
  let mode: TextEncoding = 'utf-8';
  let modeBom = false;
  const emit = (s: string): void => {
    if (s.length === 0) return;
    const span = spans[spans.length - 1];
    if (span && span.encoding === mode && span.bom === modeBom && span.end === length) span.end += s.length;
    else spans.push({ encoding: mode, bom: modeBom, start: length, end: length + s.length });
    chunks.push(s);
    length += s.length;
    lastChar = s[s.length - 1] ?? lastChar;
  };
  const switchTo = (encoding: TextEncoding, bom: boolean): void => {
    mode = encoding;
    modeBom = bom;
  };
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

  let i = 0;
  while (i < n) {
    const bom = bomAt(bytes, i);
    if (bom) {
      switchTo(bom.encoding, true);
      i += bom.length;
      continue;
    }
    if (mode === 'utf-8') {
      let j = i;
      while (j < n && bytes[j] !== 0 && !(j > i && bomAt(bytes, j))) j++;
      if (j < n && bytes[j] === 0) {
        if (j > i) {
          emit(utf8.decode(bytes.subarray(i, j - 1)));
          i = j - 1;
          switchTo('utf-16le', false);
        } else {
          switchTo('utf-16be', false);
        }
        continue;
      }
      emit(utf8.decode(bytes.subarray(i, j)));
      i = j;
      continue;
    }
    const le = mode === 'utf-16le';
    let atLineStart = lastChar === '\n';
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
    emit(decodeUtf16(bytes.subarray(i, j), mode, false) ?? '');
    if (!next && j === n - 1) {
      emit('\uFFFD'); // a lone last byte: a cut-off code unit
      j = n;
    }
    i = j;
    if (next) switchTo(next, false);
  }

  const text = chunks.join('');
  const lineAt = (offset: number): number => {
    let line = 1;
    for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 0x0a) line++;
    return line;
  };
  const parts = spans.map((s) => ({
    encoding: s.encoding,
    bom: s.bom,
    firstLine: lineAt(s.start),
    lastLine: lineAt(s.end - 1),
  }));
  const damagedLines: number[] = [];
  text.split('\n').forEach((l, k) => {
    if (l.includes('\uFFFD')) damagedLines.push(k + 1);
  });
  return { text, parts, damagedLines };
}
