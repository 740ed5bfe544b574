/**
 * The input box of the stand-in agent: what was typed and pasted, byte-exact.
 *
 * Content is a list of segments of raw bytes (latin1 byte strings): typed text, and one segment
 * per bracketed paste. A paste with more lines than the collapse limit (Claude Code 2.1.328: 3
 * or more line breaks) or longer than the character limit is shown as `[Pasted text #K +M lines]`
 * (`[Pasted text #K]` for one long line), a shorter one inline. Submitting hands over the exact
 * bytes, whatever the screen shows; `promptOf` gives the text as the agent itself receives it
 * (the form its hooks and transcript show), with Claude Code's rewrites (test/contract/FINDINGS.md §2).
 */
import { bytesToText, countLineBreaks, splitLines } from './text';

export type Segment =
  | { kind: 'text'; bytes: string }
  /** One bracketed paste; `label` is set when it is shown collapsed. */
  | { kind: 'paste'; bytes: string; id: number; label: string | null };

export class InputBox {
  private segments: Segment[] = [];
  private pasteCount = 0;

  /**
   * @param collapseLines pastes with more lines than this are shown collapsed
   * @param collapseChars and so are pastes longer than this (characters)
   */
  constructor(
    private readonly collapseLines: number,
    private readonly collapseChars = 800,
  ) {}

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
    const text = bytesToText(bytes);
    const breaks = countLineBreaks(text);
    const collapsed = breaks + 1 > this.collapseLines || text.length > this.collapseChars;
    let label: string | null = null;
    if (collapsed) label = `[Pasted text #${this.pasteCount}${breaks > 0 ? ` +${breaks} lines` : ''}]`;
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

/** Line breaks as LF, each TAB as 4 spaces: what the agent makes of any text it is given. */
export function normalised(text: string): string {
  return tabsAsSpaces(text.replace(/\r\n?/g, '\n'));
}

/**
 * The prompt as the agent receives it (UserPromptSubmit's `prompt`, the transcript's user
 * entry), as Claude Code 2.1.328 builds it (test/contract/FINDINGS.md §2): text normalised, a
 * collapsed paste wrapped as `\n\n<pasted_content id="ID">\n` + its text less one trailing LF
 * + `\n</pasted_content id="ID">\n` (one more `\n` when text follows it; ID: 4 hex digits, the
 * same for every paste of the session), trailing spaces of the whole input trimmed.
 */
export function promptOf(segments: readonly Segment[], pasteId: string): string {
  return segments
    .map((s, i) => {
      const text = normalised(bytesToText(s.bytes));
      if (s.kind === 'text' || s.label === null) return text;
      const body = text.endsWith('\n') ? text.slice(0, -1) : text;
      const more = i < segments.length - 1 ? '\n' : '';
      return `\n\n<pasted_content id="${pasteId}">\n${body}\n</pasted_content id="${pasteId}">\n${more}`;
    })
    .join('')
    .replace(/ +$/, '');
}
