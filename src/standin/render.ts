/**
 * Draws the stand-in agent's screen as plain lines, laid out like Claude Code 2.1.328 in
 * the captures under shared/fixtures: header and history from the top, then (bottom-anchored)
 * spinner or retry line, `─` rule, `❯` + NBSP input line, rule, footer. Pure: same view, size
 * and time, same lines. `styleScreen` then adds the styling the real agent uses where it
 * matters to a reader of `capture-pane -e`: a placeholder is dim with the cursor (reverse
 * video) on its first letter, as in 401-final.ansi.txt; rules and API errors are coloured.
 */
import type { ScreenView } from './model-types';
import { printable, textWidth, truncate, wrapLine } from './text';

export const VERSION_LABEL = 'Claude Code v2.1.328 (stand-in)';
export const NBSP = '\u00a0';
export const RULE_CHAR = '─';
export const FOOTER = '  ⏵⏵ auto mode on (shift+tab to cycle)';
export const BUSY_MARKER = ' · esc to interrupt';
export const QUEUED_NOTE = '  ⎿  Queued · ctrl+x ctrl+s to send now';
export const TIP_LINE = `  ⎿ ${NBSP}Tip: Send a message mid-task to steer Claude`;
/** Spinner glyphs, played forwards then backwards. */
export const SPINNER_GLYPHS: readonly string[] = ['✢', '✳', '✶', '✻', '✽'];
export const SPINNER_FRAME_MS = 120;

const NOTICE =
  'This is the peer-comms stand-in for Claude Code: it looks like Claude Code on screen and acknowledges ' +
  'every message it is sent. No model is called and nothing leaves this machine.';

const TRUST_TEXT =
  'Quick safety check: Is this a project you created or one you trust? (Like your own code, a well-known ' +
  "open source project, or work from your team). If not, take a moment to review what's in this folder first.";

export function spinnerGlyph(startedAt: number, now: number): string {
  const cycle = [...SPINNER_GLYPHS, ...SPINNER_GLYPHS.slice(1, -1).reverse()];
  const frame = Math.floor(Math.max(0, now - startedAt) / SPINNER_FRAME_MS) % cycle.length;
  return cycle[frame] ?? '✻';
}

/** The whole screen: exactly `height` lines, none wider than `width` columns. */
export function renderScreen(view: ScreenView, width: number, height: number, now: number): string[] {
  const w = Math.max(10, width);
  const h = Math.max(1, height);
  const lines = view.mode === 'trust' ? trustLines(view, w) : mainLines(view, w, h, now);
  const out = lines.slice(0, h).map((l) => truncate(l, w));
  while (out.length < h) out.push('');
  return out;
}

function headerLines(cwdLabel: string, width: number): string[] {
  return [
    '',
    ` ▐▛███▛█   ${VERSION_LABEL}`,
    '▝▜██████▀  Stand-in agent · no model, no network',
    ` ▝▝   ▝▝   ${cwdLabel}`,
    '',
    ...wrapLine(`▎ ${NOTICE}`, width, '▎ '),
    '',
  ];
}

function mainLines(view: ScreenView, width: number, height: number, now: number): string[] {
  const content = headerLines(printable(view.cwdLabel), width);
  const add = (line: string): void => {
    content.push(...wrapLine(printable(line), width, '  '));
  };
  for (const block of view.history) {
    block.forEach(add);
    content.push('');
  }
  for (const q of view.queued) {
    add(`❯ ${q}`);
    content.push(QUEUED_NOTE, '');
  }

  const above: string[] = [];
  if (view.spinner) {
    above.push(`${spinnerGlyph(view.spinner.startedAt, now)} ${view.spinner.verb}…`, TIP_LINE, '');
  }
  if (view.retryLine !== null) {
    above.push(...wrapLine(`✻ ${view.retryLine}`, width, '  '), '');
  }
  const rule = RULE_CHAR.repeat(width);
  const busy = view.spinner !== null || view.retryLine !== null;
  let footer = FOOTER;
  // the real agent drops `esc to interrupt` while text sits in the box (working-with-typed-input.txt)
  if (busy && view.inputLines.length === 0) footer = FOOTER + BUSY_MARKER;
  else if (view.footerHint) footer = `  ${view.footerHint}`;

  let box = inputBoxLines(view, width);
  const fixed = above.length + 3 + view.footerNotice.length;
  const roomForBox = Math.max(1, height - fixed);
  if (box.length > roomForBox) box = box.slice(box.length - roomForBox);
  const bottom = [...above, rule, ...box, rule, ...view.footerNotice, footer];

  const room = Math.max(0, height - bottom.length);
  const shown = room > 0 ? content.slice(-room) : [];
  const filler: string[] = Array.from({ length: room - shown.length }, () => '');
  return [...shown, ...filler, ...bottom].slice(-height);
}

function inputBoxLines(view: ScreenView, width: number): string[] {
  const first = `❯${NBSP}`;
  if (view.inputLines.length === 0) return [first + view.placeholder];
  const out: string[] = [];
  view.inputLines.forEach((line, i) => {
    const prefix = i === 0 ? first : '  ';
    out.push(...wrapLine(prefix + printable(line, textWidth(prefix)), width, '  '));
  });
  return out;
}

function trustLines(view: ScreenView, width: number): string[] {
  const option = (index: 0 | 1, label: string): string =>
    view.trustSelection === index ? ` ❯ ${label}` : `   ${label}`;
  return [
    '',
    RULE_CHAR.repeat(width),
    ' Accessing workspace:',
    '',
    ` ${printable(view.cwdLabel)}`,
    '',
    ...wrapLine(` ${TRUST_TEXT}`, width - 1, ' '),
    '',
    " Claude Code'll be able to read, edit, and execute files here.",
    '',
    ' Security guide',
    '',
    option(0, 'No, exit'),
    option(1, 'Yes, I trust this folder'),
    '',
    ' Enter to confirm · Esc to cancel',
  ];
}

const SGR_RESET = '\x1b[0m';
const RULE_COLOUR = '\x1b[38;5;244m';
const ERROR_COLOUR = '\x1b[38;5;220m';

/**
 * The lines of renderScreen with escape codes added as the real agent draws them: the
 * placeholder in an empty box dim with its first letter in reverse video (the cursor), rules
 * grey, the `●` line of an API error yellow. Each styled line ends with a reset.
 */
export function styleScreen(lines: readonly string[], view: ScreenView): string[] {
  const prompt = `❯${NBSP}`;
  return lines.map((line) => {
    if (line.length > 0 && /^─+$/.test(line)) return `${RULE_COLOUR}${line}${SGR_RESET}`;
    if (
      view.mode !== 'trust' &&
      view.inputLines.length === 0 &&
      view.placeholder !== '' &&
      line.startsWith(prompt) &&
      line.length > prompt.length &&
      view.placeholder.startsWith(line.slice(prompt.length))
    ) {
      const shown = Array.from(line.slice(prompt.length));
      return `${prompt}\x1b[7m${shown[0] ?? ''}\x1b[0;2m${shown.slice(1).join('')}${SGR_RESET}`;
    }
    if (/^● (?:Please run \/login · )?API Error: /.test(line)) {
      return `${ERROR_COLOUR}●\x1b[39m ${ERROR_COLOUR}${line.slice(2)}${SGR_RESET}`;
    }
    return line;
  });
}
