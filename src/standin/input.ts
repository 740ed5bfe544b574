/**
 * The input box of the stand-in agent: what was typed and pasted, byte-exact.
 *
 * Content is a list of segments of raw bytes (latin1 byte strings): typed text, and one segment
 * per bracketed paste. A paste longer than the collapse limit is shown as
 * `[Pasted text #K +M lines]`, a shorter one inline. Submitting hands over the exact bytes,
 * whatever the screen shows; `promptOf` gives the text as the agent itself receives it (the
 * form its hooks and transcript show), with Claude Code's rewrites.
 */
import { bytesToText, countLineBreaks, splitLines } from './text';

export type Segment =
  | { kind: 'text'; bytes: string }
  /** One bracketed paste; `label` is set when it is shown collapsed. */
  | { kind: 'paste'; bytes: string; id: number; label: string | null };

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
    return bytesOf(this.segments);
  }

  typeText(bytes: string): void {
    const last = this.segments[this.segments.length - 1];
    if (last?.kind === 'text') last.bytes += bytes;
    else this.segments.push({ kind: 'text', bytes });
  }

  /** Adds a bracketed paste; returns true when it is shown collapsed. */
  paste(bytes: string): boolean {
    this.pasteCount += 1;
    if (bytes.length === 0) return false;
    const breaks = countLineBreaks(bytesToText(bytes));
    const collapsed = breaks + 1 > this.collapseLines;
    const label = collapsed ? `[Pasted text #${this.pasteCount} +${breaks} lines]` : null;
    this.segments.push({ kind: 'paste', bytes, id: this.pasteCount, label });
    return collapsed;
  }

  /** Deletes the last character (one UTF-8 sequence), or a whole collapsed paste. */
  backspace(): void {
    const last = this.segments[this.segments.length - 1];
    if (!last) return;
    if (last.kind === 'paste' && last.label !== null) {
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

/** Claude Code shows and sends each TAB as 4 spaces. */
export function tabsAsSpaces(text: string): string {
  return text.replace(/\t/g, '    ');
}

export function displayLinesOf(segments: readonly Segment[]): string[] {
  const shown = segments
    .map((s) => (s.kind === 'paste' && s.label !== null ? s.label : tabsAsSpaces(bytesToText(s.bytes))))
    .join('');
  return splitLines(shown);
}

/** The one line a queued prompt is shown as: its first line, or the paste label. */
export function summaryOf(segments: readonly Segment[]): string {
  return displayLinesOf(segments)[0] ?? '';
}

/**
 * A sent prompt echoed in the history as the real agent does (paste-with-tabs-inline.txt):
 * `❯ ` and its first line, each further line indented by two spaces (a collapsed paste is its label).
 */
export function echoLinesOf(segments: readonly Segment[]): string[] {
  return displayLinesOf(segments).map((line, i) => (i === 0 ? `❯ ${line}` : `  ${line}`));
}

export function bytesOf(segments: readonly Segment[]): string {
  return segments.map((s) => s.bytes).join('');
}

/**
 * The prompt as the agent receives it (UserPromptSubmit's `prompt`, the transcript's user
 * entry): line breaks as LF, each TAB as 4 spaces, each bracketed paste wrapped in
 * `<pasted_content id="K">…</pasted_content id="K">` (K: the paste's number).
 */
export function promptOf(segments: readonly Segment[]): string {
  const received = (bytes: string): string => tabsAsSpaces(bytesToText(bytes).replace(/\r\n?/g, '\n'));
  return segments
    .map((s) =>
      s.kind === 'text'
        ? received(s.bytes)
        : `<pasted_content id="${s.id}">${received(s.bytes)}</pasted_content id="${s.id}">`,
    )
    .join('');
}
