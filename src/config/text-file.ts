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
import { bomAt, decodeUtf16, encodingName, utf16Like, utf16WithoutBom, type TextEncoding } from './encodings';
import { quotePath, shellFor } from './quote';

export { encodingName, utf16Signature, utf16WithoutBom, type TextEncoding } from './encodings';
export { decodeKnownHosts, type KnownHostsPart, type KnownHostsText } from './known-hosts-text';

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
