/**
 * Turns the raw bytes a terminal sends (raw mode, bracketed paste on) into keys.
 *
 * Works on "byte strings" (latin1: one char per byte) so pasted content stays byte-exact,
 * whatever it holds (CR, LF, tabs, partial UTF-8 across chunks). Escape sequences and the
 * paste end marker may be split across chunks; the decoder keeps the unfinished tail.
 */

export type Key =
  | { kind: 'text'; bytes: string }
  | { kind: 'paste'; bytes: string }
  | { kind: 'enter' }
  | { kind: 'backspace' }
  | { kind: 'escape' }
  | { kind: 'up' }
  | { kind: 'down' }
  | { kind: 'ctrl-c' }
  | { kind: 'other'; seq: string };

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

export class KeyDecoder {
  private pending = '';
  private pasting: string | null = null;

  /** Feeds one chunk (a Buffer, or a latin1 byte string) and returns the keys it completes. */
  feed(chunk: Buffer | string): Key[] {
    const keys: Key[] = [];
    let buf = this.pending + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    this.pending = '';
    let text = '';
    const flushText = (): void => {
      if (text) keys.push({ kind: 'text', bytes: text });
      text = '';
    };
    while (buf.length > 0) {
      if (this.pasting !== null) {
        const end = buf.indexOf(PASTE_END);
        if (end < 0) {
          // Keep a possible partial end marker back until the next chunk.
          const keep = partialSuffix(buf, PASTE_END);
          this.pasting += buf.slice(0, buf.length - keep);
          this.pending = buf.slice(buf.length - keep);
          return keys;
        }
        keys.push({ kind: 'paste', bytes: this.pasting + buf.slice(0, end) });
        this.pasting = null;
        buf = buf.slice(end + PASTE_END.length);
        continue;
      }
      const c = buf.charCodeAt(0);
      if (c === 0x1b) {
        const len = escapeLength(buf);
        if (len === 0) {
          flushText();
          this.pending = buf;
          return keys;
        }
        flushText();
        const seq = buf.slice(0, len);
        buf = buf.slice(len);
        if (seq === PASTE_START) this.pasting = '';
        else keys.push(escapeKey(seq));
        continue;
      }
      buf = buf.slice(1);
      if (c === 0x0d) {
        flushText();
        keys.push({ kind: 'enter' });
      } else if (c === 0x7f || c === 0x08) {
        flushText();
        keys.push({ kind: 'backspace' });
      } else if (c === 0x03) {
        flushText();
        keys.push({ kind: 'ctrl-c' });
      } else if (c < 0x20 && c !== 0x09 && c !== 0x0a) {
        flushText();
        keys.push({ kind: 'other', seq: String.fromCharCode(c) });
      } else {
        text += String.fromCharCode(c);
      }
    }
    flushText();
    return keys;
  }

  /** True when the input ended on a lone ESC that may still start a sequence. */
  get hasPendingEscape(): boolean {
    return this.pasting === null && this.pending.length > 0;
  }

  /** Called when no more bytes came after a lone ESC: it was the Escape key after all. */
  flushPendingEscape(): Key[] {
    if (!this.hasPendingEscape) return [];
    const rest = this.pending.slice(1);
    this.pending = '';
    return [{ kind: 'escape' }, ...this.feed(rest)];
  }
}

/** Length of the escape sequence at the start of `buf`, or 0 when it is not complete yet. */
function escapeLength(buf: string): number {
  if (buf.length < 2) return 0;
  const second = buf[1];
  if (second === '[') {
    for (let i = 2; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c >= 0x40 && c <= 0x7e) return i + 1;
    }
    return 0;
  }
  if (second === 'O') return buf.length >= 3 ? 3 : 0;
  if (second === '\x1b') return 1; // ESC ESC: the first one is the Escape key.
  return 2; // Alt+key
}

function escapeKey(seq: string): Key {
  if (seq === '\x1b') return { kind: 'escape' };
  if (seq === '\x1b[A' || seq === '\x1bOA') return { kind: 'up' };
  if (seq === '\x1b[B' || seq === '\x1bOB') return { kind: 'down' };
  return { kind: 'other', seq };
}

/** Length of the longest suffix of `buf` that is a proper prefix of `marker`. */
function partialSuffix(buf: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, buf.length); n > 0; n--) {
    if (buf.endsWith(marker.slice(0, n))) return n;
  }
  return 0;
}
