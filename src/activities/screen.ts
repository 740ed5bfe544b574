/**
 * Reading the agent's screen: capture-pane with escape codes (`-e`: placeholders are told by
 * their dim styling), leave copy mode, classify with the peer's patterns.
 */
import { stripVTControlCharacters } from 'node:util';
import { capturePane, cancelCopyMode, paneMode, parsePaneMode } from '../tmux/commands';
import { classifyScreen, compilePatterns, defaultPatterns, mergePatterns, type Classification } from '../tmux/screen';
import type { ScreenPatterns } from '../tmux/screen';
import { ErrorType } from '../contracts/errors';
import { fail, run, tryRun, type PeerContext } from './context';

/** What tmux says when the session, its window or the whole server is gone. */
export const SESSION_GONE =
  /can't find (?:session|window|pane)|no server running|error connecting to .*\(No such file or directory\)/;

const compiledByPeer = new Map<string, ScreenPatterns>();

/** The default screen patterns, merged with the peer's `ack.patterns` when it has any. */
export function patternsFor(ctx: PeerContext): ScreenPatterns {
  const override = ctx.cfg.ack.patterns;
  if (!override) return defaultPatterns;
  let compiled = compiledByPeer.get(ctx.name);
  if (!compiled) {
    compiled = compilePatterns(mergePatterns(defaultPatterns.raw, override));
    compiledByPeer.set(ctx.name, compiled);
  }
  return compiled;
}

export interface ScreenReading extends Classification {
  /** The last lines of the capture, for error messages and the UI. */
  tail: string;
  /** The pane was in copy mode and was taken out of it before reading. */
  leftCopyMode: boolean;
}

export async function readScreen(ctx: PeerContext, opts: { leaveCopyMode?: boolean } = {}): Promise<ScreenReading> {
  let leftCopyMode = false;
  if (opts.leaveCopyMode) {
    const mode = await tryRun(ctx, 'pane mode', paneMode(ctx.sock, ctx.target));
    if (mode.code === 0 && parsePaneMode(mode.stdout).inMode) {
      await run(ctx, 'leave copy mode', cancelCopyMode(ctx.sock, ctx.target));
      leftCopyMode = true;
    }
  }
  const cap = await tryRun(ctx, 'capture-pane', captureCommand(ctx));
  return { ...screenOfCapture(ctx, cap), leftCopyMode };
}

/** The capture-pane argv readScreen runs (escape codes kept: placeholders are told by their dim styling). */
export function captureCommand(ctx: PeerContext): string[] {
  return capturePane(ctx.sock, ctx.target, { escapes: true });
}

/** A capture-pane result, classified; a failed one throws (SessionGone when the session is gone). */
export function screenOfCapture(
  ctx: PeerContext,
  cap: { code: number | null; stdout: string; stderr: string },
): ScreenReading {
  if (cap.code !== 0) {
    const why = cap.stderr.trim() || `exit ${cap.code}`;
    if (SESSION_GONE.test(why)) {
      throw fail(ErrorType.SessionGone, `${ctx.name}: the agent's tmux session ${ctx.target} is gone (${why})`);
    }
    throw fail(ErrorType.PeerCommandFailed, `${ctx.name}: capture-pane of ${ctx.target} failed: ${why}`);
  }
  const c = classifyScreen(cap.stdout, patternsFor(ctx));
  return { ...c, tail: screenTail(cap.stdout, 8), leftCopyMode: false };
}

/** The last lines of a capture as plain text (escape codes removed, long rules shortened). */
export function screenTail(capture: string, lines: number): string {
  const all = stripVTControlCharacters(capture).replace(/\s+$/, '').split('\n');
  return all
    .slice(-lines)
    .map((l) => l.replace(/─{8,}/g, '────').trimEnd())
    .join('\n');
}
