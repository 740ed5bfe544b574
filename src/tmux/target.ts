/**
 * Names that reach tmux: sessions, pane targets, buffer names. Each is validated here so a
 * typo or a hostile value fails with a readable message before any command is built.
 */

/** A pane spelled out in full: `session:window.pane`. */
export interface PaneTarget {
  session: string;
  /** Window index (digits) or window name. */
  window: string;
  /** Pane index (digits). */
  pane: string;
  /** `session:window.pane`, the explicit form every pane command needs. */
  full: string;
}

// tmux itself turns ':' and '.' in a session name into '_' (they separate window and pane in a
// target), so a configured name holding them would never match the session tmux created.
const SESSION_RE = /^[A-Za-z0-9_-]+$/;
const WINDOW_RE = /^[A-Za-z0-9_-]+$/;
const DIGITS_RE = /^[0-9]+$/;
const TARGET_CHARS_RE = /^[A-Za-z0-9_.:-]+$/;
const BUFFER_RE = /^[A-Za-z0-9_.-]+$/;
const SOCKET_NAME_RE = /^[A-Za-z0-9_.-]+$/;

/** Throws unless `session` is a usable tmux session name. */
export function assertSessionName(session: string): string {
  if (session === '') throw new Error('tmux session name is empty');
  if (!SESSION_RE.test(session)) {
    throw new Error(
      `tmux session name ${JSON.stringify(session)} may only hold letters, digits, '_' and '-' ` +
        `(tmux rewrites ':' and '.' in session names)`,
    );
  }
  return session;
}

/** Throws unless `name` is a usable tmux buffer name ([A-Za-z0-9_.-]+). */
export function assertBufferName(name: string): string {
  if (!BUFFER_RE.test(name)) {
    throw new Error(`tmux buffer name ${JSON.stringify(name)} may only hold letters, digits, '_', '.' and '-'`);
  }
  return name;
}

/** Throws unless `name` is a usable tmux socket name for `-L`. */
export function assertSocketName(name: string): string {
  if (!SOCKET_NAME_RE.test(name)) {
    throw new Error(`tmux socket name ${JSON.stringify(name)} may only hold letters, digits, '_', '.' and '-'`);
  }
  return name;
}

/**
 * Parses `sess`, `sess:win` or `sess:win.pane`. A missing window or pane is 0 (tmux's default
 * base-index and pane-base-index; a server configured with base 1 must name them).
 */
export function parseTarget(s: string): PaneTarget {
  if (s === '') throw new Error('tmux target is empty');
  if (!TARGET_CHARS_RE.test(s)) {
    throw new Error(
      `tmux target ${JSON.stringify(s)} may only hold letters, digits, '_', '-', ':' and '.' ` +
        `(form: session, session:window or session:window.pane)`,
    );
  }
  const colon = s.indexOf(':');
  const session = colon < 0 ? s : s.slice(0, colon);
  let window = '0';
  let pane = '0';
  if (colon >= 0) {
    const rest = s.slice(colon + 1);
    const dot = rest.lastIndexOf('.');
    window = dot < 0 ? rest : rest.slice(0, dot);
    if (dot >= 0) pane = rest.slice(dot + 1);
  }
  assertSessionName(session);
  if (!WINDOW_RE.test(window)) {
    throw new Error(`tmux target ${JSON.stringify(s)}: window ${JSON.stringify(window)} is not a window index or name`);
  }
  if (!DIGITS_RE.test(pane)) {
    throw new Error(`tmux target ${JSON.stringify(s)}: pane ${JSON.stringify(pane)} is not a pane index`);
  }
  return { session, window, pane, full: `${session}:${window}.${pane}` };
}

/**
 * Checks that `target` is the explicit `session:window.pane` form and returns it as tmux should
 * see it: with `=` before the session (and before a window name) so tmux takes only an exact
 * match. Without `=`, tmux falls back to prefix matching, and `-t claude` would hit a session
 * called `claude-team-1` when `claude` is gone: text pasted into the wrong agent.
 */
export function exactPaneTarget(target: string): string {
  const t = parseTarget(target);
  if (t.full !== target) {
    throw new Error(`tmux pane target ${JSON.stringify(target)} must be explicit: session:window.pane (${t.full})`);
  }
  const window = DIGITS_RE.test(t.window) ? t.window : `=${t.window}`;
  return `=${t.session}:${window}.${t.pane}`;
}
