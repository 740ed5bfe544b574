/**
 * The agent's own rewrites of a submitted text — the one documented place.
 *
 * A receipt proves delivery when the sha256 of the prompt the agent reports equals the sha256
 * of the text we sent, both taken in this canonical form. Claude Code 2.1.328 (see
 * shared/fixtures/claude-code-2.1.328/README.md and test/contract/FINDINGS.md):
 *   1. wraps a bracketed paste as `<pasted_content id="…">…</pasted_content id="…">`
 *      (the text inside unchanged) — the wrapper is removed;
 *   2. turns CRLF and a lone CR into LF;
 *   3. turns each TAB into 4 spaces;
 *   4. drops NUL, the other C0 controls but LF, DEL and the C1 controls.
 * Both sides apply the same function: the controller to the text it sent, the hook on the peer
 * to the prompt it received (its source is generated from this function, so the two can never
 * drift). It must therefore stay self-contained: no imports, no helpers, no closures.
 */
export function canonicalPrompt(text: string): string {
  return (
    text
      .replace(/<pasted_content id="[^"\n]*">\n?([\s\S]*?)\n?<\/pasted_content id="[^"\n]*">/g, '$1')
      .replace(/\r\n?/g, '\n')
      .replace(/\t/g, '    ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '')
  );
}

/** The list a person reads (README, `peer-comms agent-settings`): what the agent changes in a text. */
export const AGENT_REWRITES: readonly string[] = [
  'a bracketed paste arrives wrapped in <pasted_content id="…">…</pasted_content id="…">: the wrapper is not part of the text',
  'CRLF and a lone CR become LF',
  'TAB becomes 4 spaces',
  'NUL, other C0 controls (but LF), DEL and C1 controls are dropped',
];
