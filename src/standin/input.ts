/**
 * The input box of the stand-in agent: what was typed and pasted, byte-exact.
 *
 * Content is a list of segments of raw bytes (latin1 byte strings). A paste longer than the
 * collapse limit stays one segment and is shown as `[Pasted text #K +M lines]`; everything
 * else is plain text. Submitting hands over the exact bytes, whatever the screen shows.
 */
import { bytesToText, countLineBreaks, splitLines } from './text';

export type Segment = { kind: 'text'; bytes: string } | { kind: 'collapsed'; bytes: string; label: string };

export class InputBox {
  private segments: Segment[] = [];
  private pasteCount = 0;

  /** @param collapseLines pastes with more lines than this are shown collapsed. */
  constructor(private readonly collapseLines: number) {}

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  /** The exact bytes in the box, as a latin1 byte string. */
  get bytes(): string {
    return this.segments.map((s) => s.bytes).join('');
  }

  typeText(bytes: string): void {
    const last = this.segments[this.segments.length - 1];
    if (last?.kind === 'text') last.bytes += bytes;
    else this.segments.push({ kind: 'text', bytes });
  }

  /** Adds a bracketed paste; returns true when it is shown collapsed. */
  paste(bytes: string): boolean {
    this.pasteCount += 1;
    const breaks = countLineBreaks(bytesToText(bytes));
    if (breaks + 1 > this.collapseLines) {
      this.segments.push({ kind: 'collapsed', bytes, label: `[Pasted text #${this.pasteCount} +${breaks} lines]` });
      return true;
    }
    if (bytes.length > 0) this.typeText(bytes);
    return false;
  }

  /** Deletes the last character (one UTF-8 sequence), or a whole collapsed paste. */
  backspace(): void {
    const last = this.segments[this.segments.length - 1];
    if (!last) return;
    if (last.kind === 'collapsed') {
      this.segments.pop();
      return;
    }
    let end = last.bytes.length - 1;
    while (end > 0 && (last.bytes.charCodeAt(end) & 0xc0) === 0x80) end--;
    last.bytes = last.bytes.slice(0, end);
    if (last.bytes.length === 0) this.segments.pop();
  }

  clear(): void {
    this.segments = [];
  }

  /** Takes the content out (for submitting or queueing) and empties the box. */
  take(): Segment[] {
    const out = this.segments;
    this.segments = [];
    return out;
  }

  /** Puts content back in front of what is in the box (queued messages pulled back for editing). */
  restore(segments: readonly Segment[]): void {
    const rest = this.segments;
    this.segments = [];
    for (const s of [...segments, ...rest]) {
      if (s.kind === 'text') this.typeText(s.bytes);
      else this.segments.push({ ...s });
    }
  }

  /** What the box shows, one entry per line (raw text; the renderer makes it printable). */
  get displayLines(): string[] {
    return displayLinesOf(this.segments);
  }
}

export function displayLinesOf(segments: readonly Segment[]): string[] {
  const shown = segments.map((s) => (s.kind === 'collapsed' ? s.label : bytesToText(s.bytes))).join('');
  return splitLines(shown);
}

/** The one line a prompt is echoed as in the history: its first line, or the paste label. */
export function summaryOf(segments: readonly Segment[]): string {
  return displayLinesOf(segments)[0] ?? '';
}

export function bytesOf(segments: readonly Segment[]): string {
  return segments.map((s) => s.bytes).join('');
}
