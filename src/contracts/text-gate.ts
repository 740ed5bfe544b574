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
import {
  bashMode,
  controlCharacter,
  empty,
  invalidUtf8,
  loneSurrogate,
  missing,
  slashCommand,
  tooLarge,
  whitespaceOnly,
  type GateRefused,
  type Where,
} from './text-gate-messages';
import { decodeUtf8, firstInvalidUtf8, lineColumn, utf8Len } from './utf8';

export type { GateProblem, GateRefused } from './text-gate-messages';
export { firstInvalidUtf8, lineColumn } from './utf8';

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

export interface GateAccepted {
  ok: true;
  /** The normalised text: what is delivered. */
  text: string;
  /** Its UTF-8 length. */
  bytes: number;
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

/** Refused as a control character: C0 except TAB, LF and CR; DEL; C1. */
function isRefusedControl(cp: number): boolean {
  return (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || (cp >= 0x7f && cp <= 0x9f);
}

function isBlank(cp: number): boolean {
  // What String.prototype.trim() removes: ASCII and Unicode white space, line breaks, the BOM.
  return /\s/.test(String.fromCodePoint(cp));
}

/**
 * Checks a JS string (workflow input, a CLI argument, a decoded file) and returns the normalised
 * text, or the first problem. Offsets count UTF-8 bytes of the string as given.
 */
export function gateText(input: string, opts: GateOptions = {}): GateResult {
  const what = opts.what ?? 'the text';
  const max = opts.maxBytes ?? MAX_TEXT_BYTES;
  if (typeof input !== 'string') return missing(what);
  if (input.length === 0) return empty(what);

  // Size first (cheap, and the first thing to fix): UTF-8 bytes after normalisation.
  const total = normalisedSize(input);
  if (total > max) return tooLarge(what, total, max);

  const start = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  const scan = scanContent(input, start, what);
  if ('ok' in scan) return scan;
  if (scan.firstNonBlank === undefined) return whitespaceOnly(what, scan.bytes);
  if (!opts.embedded) {
    const lead = leadingRefusal(input, start, scan.firstNonBlank, what);
    if (lead) return lead;
  }

  let text = start === 1 ? input.slice(1) : input;
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return { ok: true, text, bytes: total };
}

/** The UTF-8 length of a string after normalisation (CRLF to LF, a leading BOM dropped). */
function normalisedSize(input: string): number {
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
  return total;
}

/** The first character that is not white space: its code point, where it is, its string index. */
interface FirstChar extends Where {
  cp: number;
  index: number;
}

/**
 * The content, in one pass from `start` (past a BOM) tracking byte offset, line and column:
 * the first lone surrogate or refused control, else the first non-blank character and the
 * bytes looked at.
 */
function scanContent(
  input: string,
  start: number,
  what: string,
): GateRefused | { firstNonBlank: FirstChar | undefined; bytes: number } {
  let offset = start === 1 ? 3 : 0;
  let line = 1;
  let column = start === 1 ? 2 : 1;
  let firstNonBlank: FirstChar | undefined;
  for (let i = start; i < input.length; i++) {
    let cp = input.charCodeAt(i);
    let units = 1;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = input.charCodeAt(i + 1);
      if (!(cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff)) return loneSurrogate(what, cp, { offset, line, column });
      cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
      units = 2;
    }
    if (isRefusedControl(cp)) return controlCharacter(what, cp, { offset, line, column });
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
  return { firstNonBlank, bytes: offset };
}

/** A first character `!` (bash mode) or a first non-blank `/` (a slash command); undefined if neither. */
function leadingRefusal(input: string, start: number, first: FirstChar, what: string): GateRefused | undefined {
  if (input.charCodeAt(start) === 0x21 /* ! */) {
    return bashMode(what, { offset: start === 1 ? 3 : 0, line: 1, column: start + 1 });
  }
  if (first.cp === 0x2f /* / */) {
    const word = /^\/[^\s]*/.exec(input.slice(first.index))?.[0] ?? '/';
    return slashCommand(what, word, { offset: first.offset, line: first.line, column: first.column });
  }
  return undefined;
}

/**
 * Checks raw bytes (a file the CLI read): size, strict UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF, no truncated sequence), then everything gateText checks. Offsets are
 * offsets into the bytes.
 */
export function gateBytes(bytes: Uint8Array, opts: GateOptions = {}): GateResult {
  const what = opts.what ?? 'the text';
  const max = opts.maxBytes ?? MAX_TEXT_BYTES;
  if (bytes.length === 0) return empty(what);
  let crlf = 0;
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) crlf++;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const size = bytes.length - crlf - bom;
  if (size > max) return tooLarge(what, size, max);

  const bad = firstInvalidUtf8(bytes);
  if (bad) {
    const { line, column } = lineColumn(bytes, bad.offset);
    return invalidUtf8(what, bad.reason, { offset: bad.offset, line, column });
  }
  return gateText(decodeUtf8(bytes), opts);
}
