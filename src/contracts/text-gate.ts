/**
 * The input gate: what a text sent to a peer's agent may contain. One module for the CLI (which
 * reads files as bytes: `gateBytes`) and the workflows (which get a JS string: `gateText`), so
 * a send refused in one is refused in the other with the same message.
 *
 * Pure: no Node builtins, no Buffer, no TextDecoder (workflow code runs in Temporal's sandbox).
 *
 * Why: tmux passes every byte of a paste through unchanged, and Claude Code reads them as
 * keystrokes. ESC `[201~` ends the bracketed paste early (the rest arrives as keys: a CR submits,
 * `^U/exit⏎` quits), other controls are stripped or acted on, a leading `!` switches to bash
 * mode and runs the whole text as a shell script, a leading `/` runs a slash command.
 *
 * Refused (each with the byte offset, line and column of the first offender):
 * - an empty or whitespace-only text;
 * - C0 controls except TAB and LF (CR only as a line break, see below), DEL, C1 controls;
 * - invalid UTF-8 (bytes) and lone UTF-16 surrogates (strings);
 * - a first character `!`, or a first non-blank character `/`;
 * - more than MAX_TEXT_BYTES of UTF-8 after normalisation.
 *
 * Normalised (once, here): CRLF and a lone CR become LF, as Claude Code itself does; a leading
 * byte-order mark (U+FEFF, which Windows editors write) is dropped.
 */

/**
 * The largest text a send takes: 1,000,000 bytes of UTF-8 (after normalisation). The text travels
 * inside Temporal payloads (the workflow's start input, the deliver activity's input), and
 * Temporal refuses a payload over 2 MiB by default; JSON may double a text's size (every `"`,
 * `\`, TAB and LF is escaped as two bytes), so 1,000,000 bytes keeps even the worst text, with
 * the rest of the input, under 2 MiB. Raise it only together with a design that keeps big texts
 * out of the payloads.
 */
export const MAX_TEXT_BYTES = 1_000_000;

/** Room a job keeps for the footer it appends to its directive (job id, inbox paths). */
export const JOB_FOOTER_RESERVE_BYTES = 4096;

/** The largest directive `job start` takes: the footer must still fit under MAX_TEXT_BYTES. */
export const MAX_JOB_DIRECTIVE_BYTES = MAX_TEXT_BYTES - JOB_FOOTER_RESERVE_BYTES;

export type GateProblem =
  | 'empty'
  | 'whitespace-only'
  | 'control'
  | 'invalid-utf8'
  | 'lone-surrogate'
  | 'bash-mode'
  | 'slash-command'
  | 'too-large';

export interface GateAccepted {
  ok: true;
  /** The normalised text: what is delivered. */
  text: string;
  /** Its UTF-8 length. */
  bytes: number;
}

export interface GateRefused {
  ok: false;
  kind: GateProblem;
  /** One sentence: what is wrong, where. */
  problem: string;
  /** What to do instead, when there is something to say. */
  hint?: string;
  /** Byte offset (0-based, in the input as given) of the first offending byte. */
  offset?: number;
  /** 1-based line and column (in characters) of that byte. */
  line?: number;
  column?: number;
}

export type GateResult = GateAccepted | GateRefused;

export interface GateOptions {
  /** How the message names the input: "the text" (default), "the directive", a file name. */
  what?: string;
  /** The size limit in bytes of UTF-8 (default MAX_TEXT_BYTES). */
  maxBytes?: number;
  /**
   * The text goes out inside a longer one (an amended directive inside a resolution message):
   * its first character is not the message's, so a leading "!" or "/" is allowed.
   */
  embedded?: boolean;
}

/** The refusal as one line: the problem, then the hint. The same words in the CLI and the workflow. */
export function formatRefusal(r: GateRefused): string {
  return r.hint ? `${r.problem}; ${r.hint}` : r.problem;
}

const C0_NAMES = [
  'NUL',
  'SOH',
  'STX',
  'ETX',
  'EOT',
  'ENQ',
  'ACK',
  'BEL',
  'BS',
  'TAB',
  'LF',
  'VT',
  'FF',
  'CR',
  'SO',
  'SI',
  'DLE',
  'DC1',
  'DC2',
  'DC3',
  'DC4',
  'NAK',
  'SYN',
  'ETB',
  'CAN',
  'EM',
  'SUB',
  'ESC',
  'FS',
  'GS',
  'RS',
  'US',
];

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

/** A refused control character's name, e.g. `ESC (0x1B, Ctrl-[)`, `U+0085 (a C1 control)`. */
function controlName(cp: number): string {
  if (cp < 0x20) {
    const ctrl = cp === 0 ? 'Ctrl-@' : `Ctrl-${String.fromCharCode(0x40 + cp)}`;
    return `${C0_NAMES[cp] ?? 'control'} (0x${hex(cp, 2)}, ${ctrl})`;
  }
  if (cp === 0x7f) return 'DEL (0x7F)';
  return `U+${hex(cp, 4)} (a C1 control character)`;
}

/** Refused as a control character: C0 except TAB, LF and CR; DEL; C1. */
function isRefusedControl(cp: number): boolean {
  return (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || (cp >= 0x7f && cp <= 0x9f);
}

function isBlank(cp: number): boolean {
  // What String.prototype.trim() removes: ASCII and Unicode white space, line breaks, the BOM.
  return /\s/.test(String.fromCodePoint(cp));
}

function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function utf8Len(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

function at(offset: number, line: number, column: number): string {
  return `at byte ${offset} (line ${line}, column ${column})`;
}

function refuse(
  kind: GateProblem,
  problem: string,
  where?: { offset: number; line: number; column: number },
  hint?: string,
): GateRefused {
  return { ok: false, kind, problem, ...(hint ? { hint } : {}), ...(where ?? {}) };
}

function tooLarge(what: string, bytes: number, max: number): GateRefused {
  return refuse(
    'too-large',
    `${what} is ${thousands(bytes)} bytes of UTF-8; the limit is ${thousands(max)} bytes`,
    undefined,
    'split it into several sends, or put it in a file on the peer and send a short text that points to it',
  );
}

/**
 * Checks a JS string (workflow input, a CLI argument, a decoded file) and returns the normalised
 * text, or the first problem. Offsets count UTF-8 bytes of the string as given.
 */
export function gateText(input: string, opts: GateOptions = {}): GateResult {
  const what = opts.what ?? 'the text';
  const max = opts.maxBytes ?? MAX_TEXT_BYTES;
  if (typeof input !== 'string') return refuse('empty', `${what} is missing (expected a string)`);
  if (input.length === 0) return refuse('empty', `${what} is empty`);

  // Size first (cheap, and the first thing to fix): UTF-8 bytes after normalisation.
  let total = 0;
  for (let i = 0; i < input.length; i++) {
    const u = input.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < input.length) {
      const v = input.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) {
        total += 4;
        i++;
        continue;
      }
    }
    // CRLF normalises to LF: the CR costs nothing.
    if (u === 0x0d && input.charCodeAt(i + 1) === 0x0a) continue;
    total += utf8Len(u);
  }
  if (input.charCodeAt(0) === 0xfeff) total -= 3;
  if (total > max) return tooLarge(what, total, max);

  // Content: one pass, tracking byte offset, line and column.
  let offset = 0;
  let line = 1;
  let column = 1;
  let firstNonBlank: { cp: number; offset: number; line: number; column: number; index: number } | undefined;
  const start = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (start === 1) {
    offset = 3;
    column = 2;
  }
  for (let i = start; i < input.length; i++) {
    let cp = input.charCodeAt(i);
    let units = 1;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = input.charCodeAt(i + 1);
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        units = 2;
      } else {
        return refuse(
          'lone-surrogate',
          `${what} holds a lone UTF-16 surrogate U+${hex(cp, 4)} ${at(offset, line, column)}: it is not a character and has no UTF-8 form`,
          { offset, line, column },
          'send well-formed Unicode text',
        );
      }
    }
    if (isRefusedControl(cp)) {
      const name = controlName(cp);
      const esc = cp === 0x1b ? ' (ESC [201~ would end the paste early and the rest would arrive as keystrokes)' : '';
      return refuse(
        'control',
        `${what} holds the control character ${name} ${at(offset, line, column)}: only TAB and line breaks are allowed, any other control reaches the agent as a keystroke${esc}`,
        { offset, line, column },
        'remove it, or write its name out (e.g. "ESC" or "\\x1b") if the agent should read about it',
      );
    }
    if (firstNonBlank === undefined && !isBlank(cp)) firstNonBlank = { cp, offset, line, column, index: i };
    offset += utf8Len(cp);
    if (cp === 0x0a || (cp === 0x0d && input.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      column = 1;
    } else if (cp !== 0x0d) {
      column++;
    }
    i += units - 1;
  }

  if (firstNonBlank === undefined) {
    return refuse('whitespace-only', `${what} holds only white space (${offset} bytes)`);
  }
  if (!opts.embedded && input.charCodeAt(start) === 0x21 /* ! */) {
    const o = start === 1 ? 3 : 0;
    return refuse(
      'bash-mode',
      `${what} starts with "!" ${at(o, 1, start + 1)}: Claude Code would switch to bash mode and run the whole text as a shell command`,
      { offset: o, line: 1, column: start + 1 },
      'to send it as text, start it with a word (e.g. "Run: !…"); to run a command on the peer, ask the agent to run it',
    );
  }
  if (!opts.embedded && firstNonBlank.cp === 0x2f /* / */) {
    const word = /^\/[^\s]*/.exec(input.slice(firstNonBlank.index))?.[0] ?? '/';
    const shown = word.length > 40 ? `${word.slice(0, 40)}…` : word;
    const f = firstNonBlank;
    return refuse(
      'slash-command',
      `${what} starts with "/" ${at(f.offset, f.line, f.column)}: Claude Code would run "${shown}" as a slash command`,
      { offset: f.offset, line: f.line, column: f.column },
      'to send it as text, start it with a word (e.g. "Please read /path/to/file"); leading spaces or blank lines do not help',
    );
  }

  let text = start === 1 ? input.slice(1) : input;
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return { ok: true, text, bytes: total };
}

/**
 * Checks raw bytes (a file the CLI read): size, strict UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF, no truncated sequence), then everything gateText checks. Offsets are
 * offsets into the bytes.
 */
export function gateBytes(bytes: Uint8Array, opts: GateOptions = {}): GateResult {
  const what = opts.what ?? 'the text';
  const max = opts.maxBytes ?? MAX_TEXT_BYTES;
  if (bytes.length === 0) return refuse('empty', `${what} is empty`);
  let crlf = 0;
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) crlf++;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const size = bytes.length - crlf - bom;
  if (size > max) return tooLarge(what, size, max);

  const bad = firstInvalidUtf8(bytes);
  if (bad) {
    const { line, column } = lineColumn(bytes, bad.offset);
    return refuse(
      'invalid-utf8',
      `${what} is not valid UTF-8 ${at(bad.offset, line, column)}: ${bad.reason}`,
      { offset: bad.offset, line, column },
      'save it as UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8)',
    );
  }
  return gateText(decodeUtf8(bytes), opts);
}

/** The first invalid UTF-8 sequence (WHATWG/Unicode strict rules), or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): { offset: number; reason: string } | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else {
      const reason =
        b <= 0xbf
          ? `byte 0x${hex(b, 2)} is a continuation byte with no lead byte before it`
          : b <= 0xc1
            ? `byte 0x${hex(b, 2)} would start an overlong encoding`
            : `byte 0x${hex(b, 2)} never occurs in UTF-8`;
      return { offset: i, reason };
    }
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) {
        return { offset: i, reason: `the sequence starting with byte 0x${hex(b, 2)} is cut off at the end` };
      }
      const c = bytes[i + k] ?? 0;
      const [l, h] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c < l || c > h) {
        const why =
          k === 1 && c >= 0x80 && c <= 0xbf
            ? b === 0xed
              ? 'it encodes a UTF-16 surrogate'
              : b === 0xf4
                ? 'it encodes a code point above U+10FFFF'
                : 'it is an overlong encoding'
            : `byte 0x${hex(c, 2)} at ${i + k} does not continue it`;
        return { offset: i, reason: `the sequence starting with byte 0x${hex(b, 2)} is invalid: ${why}` };
      }
    }
    i += need + 1;
  }
  return undefined;
}

/** 1-based line and column (in characters) of a byte offset; CRLF and lone CR count as one line break. */
export function lineColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0x0a || (b === 0x0d && bytes[i + 1] !== 0x0a)) {
      line++;
      column = 1;
    } else if (b !== 0x0d && (b & 0xc0) !== 0x80) {
      column++;
    }
  }
  return { line, column };
}

/** Decodes bytes already known to be valid UTF-8. */
function decodeUtf8(bytes: Uint8Array): string {
  const parts: string[] = [];
  let units: number[] = [];
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] ?? 0;
    let cp: number;
    if (b < 0x80) {
      cp = b;
      i += 1;
    } else if (b < 0xe0) {
      cp = ((b & 0x1f) << 6) | ((bytes[i + 1] ?? 0) & 0x3f);
      i += 2;
    } else if (b < 0xf0) {
      cp = ((b & 0x0f) << 12) | (((bytes[i + 1] ?? 0) & 0x3f) << 6) | ((bytes[i + 2] ?? 0) & 0x3f);
      i += 3;
    } else {
      cp =
        ((b & 0x07) << 18) |
        (((bytes[i + 1] ?? 0) & 0x3f) << 12) |
        (((bytes[i + 2] ?? 0) & 0x3f) << 6) |
        ((bytes[i + 3] ?? 0) & 0x3f);
      i += 4;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  }
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}
