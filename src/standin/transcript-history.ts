/**
 * A resumed session's history (`--continue`) read back from its transcript lines, as the real
 * agent shows it again. The lines themselves are written by recorder.ts from records.ts.
 */

function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts = (content as unknown[])
    .map((b) => (typeof b === 'object' && b !== null ? (b as Record<string, unknown>).text : undefined))
    .filter((t): t is string => typeof t === 'string');
  return texts.length > 0 ? texts.join('\n') : null;
}

/**
 * The history a `--continue` restart shows again, from the session's transcript lines: each
 * prompt echoed (a wrapped paste as its `[Pasted text …]` label), each answer or API error as
 * a `●` line, each finished turn as its `✻ … · done` line.
 */
export function historyFromTranscript(lines: readonly string[], clock: (ms: number) => string): string[][] {
  const blocks: string[][] = [];
  let pastes = 0;
  for (const line of lines) {
    let e: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) continue;
      e = parsed as Record<string, unknown>;
    } catch {
      continue;
    }
    const message = typeof e.message === 'object' && e.message !== null ? (e.message as Record<string, unknown>) : {};
    const text = textOf(message.content);
    if (e.type === 'user' && text !== null && e.isMeta !== true) {
      const shown = text.replace(
        /\n*<pasted_content id="[^"]*">\n([\s\S]*?)\n<\/pasted_content id="[^"]*">\n?/g,
        (_m, body: string) => {
          pastes += 1;
          return `[Pasted text #${pastes} +${(body.match(/\n/g) ?? []).length} lines]`;
        },
      );
      blocks.push(shown.split('\n').map((l, i) => (i === 0 ? `❯ ${l}` : `  ${l}`)));
    } else if (e.type === 'assistant' && text !== null) {
      blocks.push([`● ${text}`]);
    } else if (e.type === 'system' && e.subtype === 'turn_duration' && typeof e.durationMs === 'number') {
      const at = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : Number.NaN;
      const secs = Math.round(e.durationMs / 1000);
      blocks.push([`✻ Worked for ${secs}s · done ${Number.isNaN(at) ? '' : clock(at)}`.trimEnd()]);
    }
  }
  return blocks;
}
