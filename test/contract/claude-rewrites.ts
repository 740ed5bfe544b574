/**
 * How Claude Code 2.1.328 rewrites a submitted text before its hooks, transcript and the API
 * see it, as observed (FINDINGS.md §2). The contract tests assert these rules against the real
 * TUI, so a version that changes them fails here first.
 *
 *  - CRLF and lone CR become LF; each TAB becomes 4 spaces.
 *  - A paste with 3 or more line breaks (or a long one) is collapsed in the box and reaches
 *    the agent wrapped: `\n\n<pasted_content id="ID">\n` + body + `\n</pasted_content id="ID">\n`,
 *    body = the normalised text minus at most one trailing LF; ID = 4 hex digits, one per session.
 *  - The whole input is right-trimmed of spaces.
 */

/** CRLF / CR → LF, TAB → 4 spaces. */
export function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ');
}

/** Whether a bracketed paste of `text` is collapsed into `[Pasted text #N …]` (≥ 3 line breaks). */
export function collapsesAsPaste(text: string): boolean {
  return (normalise(text).match(/\n/g) ?? []).length >= 3;
}

/** The `prompt` a paste of `text` into an empty box gives, with the session's paste id. */
export function pastedPrompt(text: string, id: string): string {
  const n = normalise(text);
  if (!collapsesAsPaste(text)) return n.replace(/[ ]+$/, '');
  const body = n.endsWith('\n') ? n.slice(0, -1) : n;
  return `\n\n<pasted_content id="${id}">\n${body}\n</pasted_content id="${id}">\n`;
}

const WRAPPED = /^\n\n<pasted_content id="([0-9a-f]+)">\n([\s\S]*)\n<\/pasted_content id="\1">\n$/;

/** The paste id and body of a prompt that is exactly one wrapped paste, else null. */
export function unwrapPaste(prompt: string): { id: string; body: string } | null {
  const m = WRAPPED.exec(prompt);
  return m ? { id: m[1] ?? '', body: m[2] ?? '' } : null;
}
