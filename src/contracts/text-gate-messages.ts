/**
 * The input gate's refusals: what kinds there are, and the words of each, the same in the CLI
 * and the workflows. The checks that find them are in text-gate.ts.
 */
import { hex } from './utf8';

export type GateProblem =
  | 'empty'
  | 'whitespace-only'
  | 'control'
  | 'invalid-utf8'
  | 'lone-surrogate'
  | 'bash-mode'
  | 'slash-command'
  | 'too-large';

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

/** Where the first offender is: byte offset (0-based), 1-based line and column. */
export interface Where {
  offset: number;
  line: number;
  column: number;
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

/** A refused control character's name, e.g. `ESC (0x1B, Ctrl-[)`, `U+0085 (a C1 control)`. */
function controlName(cp: number): string {
  if (cp < 0x20) {
    const ctrl = cp === 0 ? 'Ctrl-@' : `Ctrl-${String.fromCharCode(0x40 + cp)}`;
    return `${C0_NAMES[cp] ?? 'control'} (0x${hex(cp, 2)}, ${ctrl})`;
  }
  if (cp === 0x7f) return 'DEL (0x7F)';
  return `U+${hex(cp, 4)} (a C1 control character)`;
}

function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function at(w: Where): string {
  return `at byte ${w.offset} (line ${w.line}, column ${w.column})`;
}

function refuse(kind: GateProblem, problem: string, where?: Where, hint?: string): GateRefused {
  return { ok: false, kind, problem, ...(hint ? { hint } : {}), ...(where ?? {}) };
}

export function missing(what: string): GateRefused {
  return refuse('empty', `${what} is missing (expected a string)`);
}

export function empty(what: string): GateRefused {
  return refuse('empty', `${what} is empty`);
}

export function whitespaceOnly(what: string, bytes: number): GateRefused {
  return refuse('whitespace-only', `${what} holds only white space (${bytes} bytes)`);
}

export function tooLarge(what: string, bytes: number, max: number): GateRefused {
  return refuse(
    'too-large',
    `${what} is ${thousands(bytes)} bytes of UTF-8; the limit is ${thousands(max)} bytes`,
    undefined,
    'split it into several sends, or put it in a file on the peer and send a short text that points to it',
  );
}

export function loneSurrogate(what: string, unit: number, where: Where): GateRefused {
  return refuse(
    'lone-surrogate',
    `${what} holds a lone UTF-16 surrogate U+${hex(unit, 4)} ${at(where)}: it is not a character and has no UTF-8 form`,
    where,
    'send well-formed Unicode text',
  );
}

export function controlCharacter(what: string, cp: number, where: Where): GateRefused {
  const esc = cp === 0x1b ? ' (ESC [201~ would end the paste early and the rest would arrive as keystrokes)' : '';
  return refuse(
    'control',
    `${what} holds the control character ${controlName(cp)} ${at(where)}: only TAB and line breaks are allowed, any other control reaches the agent as a keystroke${esc}`,
    where,
    'remove it, or write its name out (e.g. "ESC" or "\\x1b") if the agent should read about it',
  );
}

export function bashMode(what: string, where: Where): GateRefused {
  return refuse(
    'bash-mode',
    `${what} starts with "!" ${at(where)}: Claude Code would switch to bash mode and run the whole text as a shell command`,
    where,
    'to send it as text, start it with a word (e.g. "Run: !…"); to run a command on the peer, ask the agent to run it',
  );
}

/** `word`: the slash command as typed (the text from the "/" up to the first white space). */
export function slashCommand(what: string, word: string, where: Where): GateRefused {
  const shown = word.length > 40 ? `${word.slice(0, 40)}…` : word;
  return refuse(
    'slash-command',
    `${what} starts with "/" ${at(where)}: Claude Code would run "${shown}" as a slash command`,
    where,
    'to send it as text, start it with a word (e.g. "Please read /path/to/file"); leading spaces or blank lines do not help',
  );
}

export function invalidUtf8(what: string, reason: string, where: Where): GateRefused {
  return refuse(
    'invalid-utf8',
    `${what} is not valid UTF-8 ${at(where)}: ${reason}`,
    where,
    'save it as UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8)',
  );
}
