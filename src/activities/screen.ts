/**
 * Reading the agent's screen: capture-pane with escape codes (`-e`: placeholders are told by
 * their dim styling), leave copy mode, classify with the peer's patterns.
 */
import { stripVTControlCharacters } from 'node:util';
import { capturePane, cancelCopyMode, paneMode, parsePaneMode } from '../tmux/commands';
import { classifyScreen, compilePatterns, defaultPatterns, mergePatterns, type Classification } from '../tmux/screen';
import type { ScreenPatterns } from '../tmux/screen';
import { run, tryRun, type PeerContext } from './context';

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
  const cap = await run(ctx, 'capture-pane', capturePane(ctx.sock, ctx.target, { escapes: true }));
  const c = classifyScreen(cap.stdout, patternsFor(ctx));
  return { ...c, tail: screenTail(cap.stdout, 8), leftCopyMode };
}

/** The last lines of a capture as plain text (escape codes removed, long rules shortened). */
export function screenTail(capture: string, lines: number): string {
  const all = stripVTControlCharacters(capture).replace(/\s+$/, '').split('\n');
  return all
    .slice(-lines)
    .map((l) => l.replace(/─{8,}/g, '────').trimEnd())
    .join('\n');
}
