/**
 * The agent's own rewrites of a submitted text — the one documented place.
 *
 * A receipt proves delivery when the sha256 of the prompt the agent reports equals the sha256
 * of the text we sent, both taken in this canonical form. Seen with Claude Code 2.1.328
 * (test/contract/FINDINGS.md):
 *   1. a long bracketed paste (shown collapsed as `[Pasted text #N …]`) reaches the prompt as
 *      `\n\n<pasted_content id="…">\n` + text + (`\n` unless the text ends with one) +
 *      `</pasted_content id="…">\n`; a short paste or typed text arrives as is. The wrapper and
 *      the line breaks it adds are removed;
 *   2. CRLF and a lone CR become LF;
 *   3. each TAB becomes 4 spaces;
 *   4. NUL, the other C0 controls but LF, DEL and the C1 controls are dropped;
 *   5. the whole input is right-trimmed (the agent trims trailing spaces and drops a paste's
 *      last line break); line breaks at the very start are not compared (the wrapper adds some).
 * Both sides apply the same function: the controller to the text it sent, the hook on the peer
 * to the prompt it received (its source is generated from this function, so the two can never
 * drift). It must therefore stay self-contained: no imports, no helpers, no closures.
 */
export function canonicalPrompt(text: string): string {
  return (
    text
      .replace(/\n*<pasted_content id="[^"\n]*">\n?/g, '')
      .replace(/<\/pasted_content id="[^"\n]*">\n*/g, '')
      .replace(/\r\n?/g, '\n')
      .replace(/\t/g, '    ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '')
      .replace(/^\n+/, '')
      .trimEnd()
  );
}

/** The list a person reads (docs/send.md, `peer-comms agent-settings`): what the agent changes in a text. */
export const AGENT_REWRITES: readonly string[] = [
  'a long paste arrives wrapped in <pasted_content id="…">…</pasted_content id="…"> with line breaks around it: not part of the text',
  'CRLF and a lone CR become LF',
  'TAB becomes 4 spaces',
  'NUL, other C0 controls (but LF), DEL and C1 controls are dropped',
  'trailing spaces and line breaks are trimmed, leading line breaks are not compared',
];
