/**
 * The stand-in agent: a full-screen terminal program that behaves on screen like Claude Code
 * 2.1.328 (input box, bracketed paste, spinner, queueing, trust dialog, 401 and 429 turns that
 * fail as the real ones do), and leaves the same records (hook commands from `--settings`, a
 * session transcript), so the tests and the demo can drive a real tmux pane without a real
 * agent or any network.
 *
 *   node --import tsx src/standin/agent.ts [flags]     or     node dist/standin/agent.js [flags]
 *
 * Node builtins only. Behaviour lives in model.ts, drawing in render.ts, records in
 * recorder.ts; this file wires them to the terminal, the clock, the log file and signals
 * (SIGUSR1 toggles auth-fail mode, SIGUSR2 rate-limit mode).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { readHookSettings } from './hooks';
import { writeInboxFiles } from './inbox';
import { KeyDecoder } from './keys';
import type { Effect } from './model';
import { StandinModel } from './model';
import type { StandinOptions } from './options';
import { USAGE, parseOptions } from './options';
import { Recorder } from './recorder';
import { SPINNER_FRAME_MS, renderScreen, styleScreen } from './render';
import { formatClock } from './text';

/** How long a lone ESC waits for the rest of an escape sequence before it counts as Escape. */
const ESC_WAIT_MS = 30;

function run(opts: StandinOptions): void {
  const out = process.stdout;
  const stdin = process.stdin;
  const model = new StandinModel(opts);
  const recorder = new Recorder(opts);
  model.restoreHistory(recorder.restoredHistory(formatClock));
  const decoder = new KeyDecoder();
  let lastFrame = '';
  let tick: NodeJS.Timeout | null = null;
  let escTimer: NodeJS.Timeout | null = null;
  let exiting = false;

  if (opts.pidFile) writeFileSync(opts.pidFile, `${process.pid}\n`);

  const restoreTerminal = (): void => {
    out.write(`\x1b[?2004l\x1b[?25h\x1b[${out.rows || 24};1H\r\n`);
    if (stdin.isTTY) stdin.setRawMode(false);
  };

  const shutdown = (code: number): void => {
    if (exiting) return;
    exiting = true;
    if (tick) clearTimeout(tick);
    if (escTimer) clearTimeout(escTimer);
    recorder.flush();
    restoreTerminal();
    process.exit(code);
  };

  const apply = (effects: readonly Effect[]): void => {
    for (const effect of effects) {
      if (effect.kind === 'log') {
        if (opts.logFile) appendFileSync(opts.logFile, `${JSON.stringify(effect.entry)}\n`);
        const text = effect.entry.text;
        if (opts.inboxDir && typeof text === 'string') writeInboxFiles(opts.inboxDir, text);
      } else if (effect.kind === 'exit') {
        shutdown(effect.code);
      } else {
        recorder.apply(effect);
      }
    }
  };

  const draw = (): void => {
    if (exiting) return;
    const now = Date.now();
    const view = model.view(now);
    const lines = styleScreen(renderScreen(view, out.columns || 80, out.rows || 24, now), view);
    const frame = lines.map((line, i) => `\x1b[${i + 1};1H\x1b[2K${line}`).join('');
    if (frame !== lastFrame) {
      out.write(frame);
      lastFrame = frame;
    }
  };

  const schedule = (): void => {
    if (tick) clearTimeout(tick);
    tick = null;
    if (exiting) return;
    const now = Date.now();
    const times = [model.nextDeadline(), model.busy ? now + SPINNER_FRAME_MS : null].filter(
      (t): t is number => t !== null,
    );
    if (times.length === 0) return;
    tick = setTimeout(pump, Math.max(0, Math.min(...times) - now));
  };

  function pump(): void {
    apply(model.advance(Date.now()));
    draw();
    schedule();
  }

  const handleKeys = (keys: ReturnType<KeyDecoder['feed']>, now: number): void => {
    for (const key of keys) {
      if (exiting) return;
      apply(model.handleKey(key, now));
    }
  };

  stdin.on('data', (chunk: Buffer) => {
    if (escTimer) clearTimeout(escTimer);
    escTimer = null;
    handleKeys(decoder.feed(chunk), Date.now());
    if (decoder.hasPendingEscape) {
      escTimer = setTimeout(() => {
        escTimer = null;
        handleKeys(decoder.flushPendingEscape(), Date.now());
        pump();
      }, ESC_WAIT_MS);
    }
    pump();
  });
  stdin.on('end', () => shutdown(0));

  out.on('resize', () => {
    lastFrame = '';
    out.write('\x1b[2J');
    draw();
  });
  process.on('SIGUSR1', () => {
    model.toggleAuthFail();
    draw();
  });
  process.on('SIGUSR2', () => {
    model.toggleRateLimit();
    draw();
  });
  process.on('SIGTERM', () => shutdown(143));
  process.on('SIGHUP', () => shutdown(129));

  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.resume();
  out.write('\x1b[?2004h\x1b[?25l\x1b[2J');
  pump();
  apply(model.start());
}

function main(): void {
  let opts: StandinOptions;
  try {
    opts = parseOptions(process.argv.slice(2), process.cwd());
    if (opts.settings) readHookSettings(opts.settings); // a bad settings file stops the start, as with claude
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exit(2);
  }
  run(opts);
}

main();
