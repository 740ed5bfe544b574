/**
 * Screen classifier: turns a `tmux capture-pane -e -p` (escape codes kept) or a plain
 * `capture-pane -p` of the agent's TUI into a state.
 *
 * The layout it reads (Claude Code 2.x), from the bottom up:
 *   footer      1–3 lines: `⏵⏵ auto mode on …`, plus ` · esc to interrupt` while working
 *   rule        a long line of `─`
 *   input box   `❯<NBSP>text`, a multi-line input continuing on the following lines
 *   rule
 *   history     `❯ message` echoes of sent messages, the agent's output, `✻ … · done` lines
 * A dialog (folder trust, permission, usage limit) replaces the box, so dialogs are only
 * looked for when there is no box, and only below the last rule line (text in the history
 * never counts). Errors are only looked for in the latest turn: the history lines after the
 * last `❯ message` echo, so an error from an earlier turn that scrolled up does not count.
 *
 * A turn is in progress when the footer shows `esc to interrupt`, or when the latest turn
 * ends in a spinner line (`✢ Booping…`): the footer drops `esc to interrupt` while text sits
 * in the box, so the spinner is the marker then.
 *
 * Which state wins:
 *   no box:                          dialog:<kind> | unknown
 *   a turn in progress:              error:<kind> (an API error being retried) | working
 *   otherwise:                       text-in-input | error:<kind> | idle
 * Text in the box beats a visible error because that is what a caller must act on (the error
 * may belong to the previous send; submitting the new text is the next step either way).
 *
 * Placeholders (`Once fixed, resend your message`) are not typed text. In an escape-coded
 * capture they are told by their styling: drawn dim (SGR 2), the first letter in reverse video
 * (the cursor); text that is not dim is typed, whatever it says. A plain capture has no styling,
 * so there the box text is compared with the known placeholder phrases instead.
 *
 * All matching data lives in patterns/claude-code.json (see patterns.ts).
 */
import { stripVTControlCharacters } from 'node:util';
import { defaultPatterns } from './patterns';
import { DIM, styledLines, type StyledLine } from './styled-capture';
import type { KindPattern, ScreenPatterns } from './patterns';

export {
  compilePatterns,
  defaultPatterns,
  defaultRawPatterns,
  mergePatterns,
  patternsWithOverride,
  screenPatternsOverrideSchema,
  screenPatternsSchema,
} from './patterns';
export type {
  KindPattern,
  KindPatternEntry,
  PatternEntry,
  RawScreenPatterns,
  ScreenPatterns,
  ScreenPatternsOverride,
} from './patterns';

export type ScreenState = 'idle' | 'text-in-input' | 'working' | `dialog:${string}` | `error:${string}` | 'unknown';

export interface Classification {
  state: ScreenState;
  /** Text in the input box, placeholders removed ('' when empty); null when there is no box. */
  input: string | null;
  /**
   * A turn is in progress (footer `esc to interrupt` or a spinner line): true for `working`,
   * and for an `error:<kind>` the agent is still retrying (`API error · retrying in 1s`).
   */
  busy: boolean;
  /** A message queued while the agent works is shown. */
  queued: boolean;
  /** The line(s) that decided the state. */
  evidence: string;
  /** Finished-turn lines (`✻ Brewed for 6s · done 2:22 PM`) on screen. */
  turnsDone: number;
  /** `❯ message` echoes in the history above the input box. */
  promptEchoes: number;
}

/** The capture as lines: escape codes removed, trailing spaces trimmed, trailing blank lines dropped. */
export function screenLines(capture: string): string[] {
  const lines = stripVTControlCharacters(capture)
    .split(/\r?\n/)
    .map((l) => l.replace(/[ \t]+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface InputBox {
  /** Index of the upper rule; the prompt line is top + 1. */
  top: number;
  /** Index of the lower rule. */
  bottom: number;
}

/**
 * The lower rule is the last rule line with at most footerMaxLines lines below it; the upper
 * rule is the nearest rule line above it, and the line after the upper rule must be the prompt.
 */
function findInputBox(lines: readonly string[], p: ScreenPatterns): InputBox | null {
  let bottom = -1;
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 1 - p.footerMaxLines; i--) {
    if (p.ruleLine.test(lines[i] ?? '')) {
      bottom = i;
      break;
    }
  }
  if (bottom < 0) return null;
  for (let top = bottom - 1; top >= 0; top--) {
    if (!p.ruleLine.test(lines[top] ?? '')) continue;
    const prompt = lines[top + 1] ?? '';
    return top + 1 < bottom && p.inputPrompt.test(prompt) ? { top, bottom } : null;
  }
  return null;
}

/**
 * The box shows a placeholder by its styling: every visible character is dim or the cursor
 * (reverse video), and some are dim. null when the styling cannot be read (a plain capture, or
 * the styled text does not line up with the plain one).
 */
function placeholderByStyle(
  lines: readonly string[],
  styled: readonly StyledLine[] | null,
  box: InputBox,
  p: ScreenPatterns,
): boolean | null {
  if (styled === null) return null;
  let dim = false;
  for (let i = box.top + 1; i < box.bottom; i++) {
    const line = lines[i] ?? '';
    const s = styled[i];
    if (s === undefined || s.text !== line) return null;
    const prefix = (i === box.top + 1 ? p.inputPrompt : p.inputContinuation).exec(line)?.[0].length ?? 0;
    for (let k = prefix; k < line.length; k++) {
      if (/\s/u.test(line[k] ?? '')) continue;
      const style = s.styles[k] ?? 0;
      if (style === 0) return false;
      if (style & DIM) dim = true;
    }
  }
  return dim;
}

/**
 * The text in the box: prompt and continuation indent removed, placeholders turned into ''
 * (told by styling when the capture has it, else by the known phrases).
 */
function readInput(
  lines: readonly string[],
  styled: readonly StyledLine[] | null,
  box: InputBox,
  p: ScreenPatterns,
): string {
  const first = lines[box.top + 1] ?? '';
  const parts = [first.replace(p.inputPrompt, '')];
  for (let i = box.top + 2; i < box.bottom; i++) parts.push((lines[i] ?? '').replace(p.inputContinuation, ''));
  const text = parts
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
  if (text === '') return '';
  const byStyle = placeholderByStyle(lines, styled, box, p);
  if (byStyle !== null) return byStyle ? '' : text;
  return p.placeholders.some((re) => re.test(text)) ? '' : text;
}

/**
 * The spinner line of a turn in progress: the latest turn's last line that starts in the first
 * column (the lines under a spinner, such as its tip, are indented), when a spinner pattern
 * matches it.
 */
function spinnerLine(latestTurn: readonly string[], p: ScreenPatterns): string | null {
  for (let i = latestTurn.length - 1; i >= 0; i--) {
    const line = latestTurn[i] ?? '';
    if (line.trim() === '' || /^\s/u.test(line)) continue;
    return p.spinner.some((re) => re.test(line)) ? line : null;
  }
  return null;
}

function firstLine(region: readonly string[], res: readonly RegExp[]): string | null {
  for (const re of res) {
    const hit = region.find((l) => re.test(l));
    if (hit !== undefined) return hit;
  }
  return null;
}

/** First entry (in pattern order) that matches any line of the region. */
function firstKind(region: readonly string[], entries: readonly KindPattern[]): { kind: string; line: string } | null {
  for (const e of entries) {
    const hit = region.find((l) => e.re.test(l));
    if (hit !== undefined) return { kind: e.kind, line: hit };
  }
  return null;
}

function lastIndexWhere(lines: readonly string[], re: RegExp): number {
  for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i] ?? '')) return i;
  return -1;
}

export function classifyScreen(capture: string, patterns: ScreenPatterns = defaultPatterns): Classification {
  const p = patterns;
  const lines = screenLines(capture);
  // An escape-coded capture (capture-pane -e) carries the styling that tells placeholders apart.
  const styled = capture.includes('\x1b[') ? styledLines(capture) : null;
  const turnsDone = lines.filter((l) => p.turnDone.test(l)).length;
  const box = findInputBox(lines, p);

  if (box === null) {
    // A dialog sits below its own top rule; without any rule, the whole screen is the dialog.
    const region = lines.slice(lastIndexWhere(lines, p.ruleLine) + 1);
    const dialog = firstKind(region, p.dialogs);
    const promptEchoes = lines.filter((l) => p.promptEcho.test(l)).length;
    const base = { input: null, busy: false, queued: false, turnsDone, promptEchoes };
    if (dialog) return { ...base, state: `dialog:${dialog.kind}`, evidence: dialog.line.trim() };
    const last = lines.filter((l) => l.trim() !== '').pop();
    return { ...base, state: 'unknown', evidence: last === undefined ? '(blank screen)' : last.trim() };
  }

  const history = lines.slice(0, box.top);
  const footer = lines.slice(box.bottom + 1);
  const promptEchoes = history.filter((l) => p.promptEcho.test(l)).length;
  const latestTurn = history.slice(lastIndexWhere(history, p.promptEcho) + 1);
  const input = readInput(lines, styled, box, p);
  const queued = firstLine(latestTurn, p.queued) !== null;
  const error = firstKind(latestTurn, p.errors);
  const working = firstLine(footer, p.working) ?? spinnerLine(latestTurn, p);
  const base = { input, busy: working !== null, queued, turnsDone, promptEchoes };
  const boxText = lines.slice(box.top + 1, box.bottom).join('\n');

  if (working !== null) {
    if (error) return { ...base, state: `error:${error.kind}`, evidence: error.line.trim() };
    return { ...base, state: 'working', evidence: working.trim() };
  }
  if (input !== '') return { ...base, state: 'text-in-input', evidence: boxText };
  if (error) return { ...base, state: `error:${error.kind}`, evidence: error.line.trim() };
  return { ...base, state: 'idle', evidence: boxText };
}

/** 'trust' for 'dialog:trust', null for any other state. */
export function dialogKind(state: ScreenState): string | null {
  return state.startsWith('dialog:') ? state.slice('dialog:'.length) : null;
}

/** 'oauth' for 'error:oauth', null for any other state. */
export function errorKind(state: ScreenState): string | null {
  return state.startsWith('error:') ? state.slice('error:'.length) : null;
}
