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
import type { Effect } from './model-types';
import { StandinModel } from './model';
import type { StandinOptions } from './options';
import { USAGE, parseOptions } from './options';
import { Recorder } from './recorder';
import { SPINNER_FRAME_MS, renderScreen, styleScreen } from './render';
import { formatClock } from './text';

/** How long a lone ESC waits for the rest of an escape sequence before it counts as Escape. */
const ESC_WAIT_MS = 30;

/** The model wired to this process's terminal, the clock, the log file and signals. */
class StandinProcess {
  private readonly out = process.stdout;
  private readonly stdin = process.stdin;
  private readonly model: StandinModel;
  private readonly recorder: Recorder;
  private readonly decoder = new KeyDecoder();
  /** The lines on the terminal now (as last written); [] after a clear. */
  private shown: string[] = [];
  private tick: NodeJS.Timeout | null = null;
  private escTimer: NodeJS.Timeout | null = null;
  private exiting = false;

  constructor(private readonly opts: StandinOptions) {
    this.model = new StandinModel(opts);
    this.recorder = new Recorder(opts);
    this.model.restoreHistory(this.recorder.restoredHistory(formatClock));
  }

  run(): void {
    if (this.opts.pidFile) writeFileSync(this.opts.pidFile, `${process.pid}\n`);
    this.stdin.on('data', (chunk: Buffer) => this.onInput(chunk));
    this.stdin.on('end', () => this.shutdown(0));
    this.out.on('resize', () => {
      this.shown = [];
      this.out.write('\x1b[2J');
      this.draw();
    });
    process.on('SIGUSR1', () => {
      this.model.toggleAuthFail();
      this.draw();
    });
    process.on('SIGUSR2', () => {
      this.model.toggleRateLimit();
      this.draw();
    });
    process.on('SIGTERM', () => this.shutdown(143));
    process.on('SIGHUP', () => this.shutdown(129));

    if (this.stdin.isTTY) this.stdin.setRawMode(true);
    this.stdin.resume();
    this.out.write('\x1b[?2004h\x1b[?25l\x1b[2J');
    this.pump();
    this.apply(this.model.start());
  }

  private restoreTerminal(): void {
    this.out.write(`\x1b[?2004l\x1b[?25h\x1b[${this.out.rows || 24};1H\r\n`);
    if (this.stdin.isTTY) this.stdin.setRawMode(false);
  }

  private shutdown(code: number): void {
    if (this.exiting) return;
    this.exiting = true;
    if (this.tick) clearTimeout(this.tick);
    if (this.escTimer) clearTimeout(this.escTimer);
    this.recorder.flush();
    this.restoreTerminal();
    process.exit(code);
  }

  private apply(effects: readonly Effect[]): void {
    const opts = this.opts;
    for (const effect of effects) {
      if (effect.kind === 'log') {
        if (opts.logFile) appendFileSync(opts.logFile, `${JSON.stringify(effect.entry)}\n`);
        const text = effect.entry.text;
        if (opts.inboxDir && typeof text === 'string') writeInboxFiles(opts.inboxDir, text);
      } else if (effect.kind === 'exit') {
        this.shutdown(effect.code);
      } else {
        this.recorder.apply(effect);
      }
    }
  }

  private draw(): void {
    if (this.exiting) return;
    const out = this.out;
    const now = Date.now();
    const view = this.model.view(now);
    const lines = styleScreen(renderScreen(view, out.columns || 80, out.rows || 24, now), view);
    // only the lines that changed: a spinner frame rewrites one line, not the whole screen
    // (every styled line ends with a reset, so a line never depends on the one before it)
    const frame = lines.map((line, i) => (line === this.shown[i] ? '' : `\x1b[${i + 1};1H\x1b[2K${line}`)).join('');
    if (frame !== '') out.write(frame);
    this.shown = lines;
  }

  private schedule(): void {
    if (this.tick) clearTimeout(this.tick);
    this.tick = null;
    if (this.exiting) return;
    const now = Date.now();
    const times = [this.model.nextDeadline(), this.model.busy ? now + SPINNER_FRAME_MS : null].filter(
      (t): t is number => t !== null,
    );
    if (times.length === 0) return;
    this.tick = setTimeout(() => this.pump(), Math.max(0, Math.min(...times) - now));
  }

  private pump(): void {
    this.apply(this.model.advance(Date.now()));
    this.draw();
    this.schedule();
  }

  private handleKeys(keys: ReturnType<KeyDecoder['feed']>, now: number): void {
    for (const key of keys) {
      if (this.exiting) return;
      this.apply(this.model.handleKey(key, now));
    }
  }

  private onInput(chunk: Buffer): void {
    if (this.escTimer) clearTimeout(this.escTimer);
    this.escTimer = null;
    this.handleKeys(this.decoder.feed(chunk), Date.now());
    if (this.decoder.hasPendingEscape) {
      this.escTimer = setTimeout(() => {
        this.escTimer = null;
        this.handleKeys(this.decoder.flushPendingEscape(), Date.now());
        this.pump();
      }, ESC_WAIT_MS);
    }
    this.pump();
  }
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
  new StandinProcess(opts).run();
}

main();
