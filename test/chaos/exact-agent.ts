/**
 * An exact-byte terminal agent for the fault suite, written apart from src/standin (it shares no
 * code with it): it reads its stdin in raw mode as a terminal program does and draws a screen
 * that peer-comms' classifier reads like Claude Code's.
 *
 * Input, byte by byte:
 * - bracketed paste: `ESC[200~` starts a paste, `ESC[201~` ends it; everything between is put in
 *   the input box as it is (a CR inside a paste is a CR, not a submit). An `ESC[201~` inside a
 *   text ends the paste early, and every later byte is a keystroke — exactly the danger the input
 *   gate exists for;
 * - CR (0x0D) outside a paste submits the box (an empty box: nothing happens);
 * - every other byte is a keystroke inserted literally, escape sequences it does not know
 *   included, so an injected control shows up as a wrong prompt, never silently dropped.
 *
 * Screen (Claude Code 2.x layout): the history, then a rule, the box `❯<NBSP>text` (continuation
 * lines indented two spaces, controls shown in caret notation), a rule, and the footer
 * `  ⏵⏵ auto mode on (shift+tab to cycle)`. A submit echoes `❯ <first line>` in the history,
 * shows `✻ Working… (esc to interrupt)` with ` · esc to interrupt` in the footer for --work-ms,
 * then `✻ Worked for 1s · done`.
 *
 * Records: one JSON line per submitted prompt appended to --log, `{"n":k,"b64":…}` with the
 * exact bytes. No hooks and no transcript, so a send to it is acked from the screen.
 *
 *   node --import tsx test/chaos/exact-agent.ts --log prompts.jsonl [--work-ms 1500]
 * (`--settings F` and `--continue`, which recovery may append, are accepted and ignored.)
 */
import { appendFileSync } from 'node:fs';

const PASTE_START = Buffer.from('\x1b[200~');
const PASTE_END = Buffer.from('\x1b[201~');
const ESC = 0x1b;
const CR = 0x0d;
/** A lone prefix of `ESC[200~` waits this long for the rest before it counts as keystrokes. */
const ESC_WAIT_MS = 50;

interface Args {
  log: string;
  workMs: number;
}

function parseArgs(argv: readonly string[]): Args {
  let log = '';
  let workMs = 1500;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--log') log = argv[++i] ?? '';
    else if (a === '--work-ms') workMs = Number(argv[++i]);
    else if (a === '--settings') i++;
    else if (a === '--continue') continue;
    else throw new Error(`exact-agent: unknown argument ${String(a)}`);
  }
  if (!log) throw new Error('exact-agent: --log <file> is required');
  if (!Number.isFinite(workMs) || workMs < 0) throw new Error('exact-agent: --work-ms must be a number');
  return { log, workMs };
}

const args = parseArgs(process.argv.slice(2));

/** The input box, as exact bytes. */
let box = Buffer.alloc(0);
/** Bytes read but not yet decided (a possible start of `ESC[200~`, or of `ESC[201~` in a paste). */
let pending = Buffer.alloc(0);
let inPaste = false;
let escTimer: NodeJS.Timeout | undefined;
let count = 0;
const history: string[] = [];
let working: NodeJS.Timeout | undefined;

/** Whether `b` is a proper prefix of `full`. */
function isPrefix(b: Buffer, full: Buffer): boolean {
  return b.length < full.length && full.subarray(0, b.length).equals(b);
}

function insert(bytes: Buffer): void {
  if (bytes.length > 0) box = Buffer.concat([box, bytes]);
}

function submit(): void {
  if (box.length === 0) return;
  const bytes = box;
  box = Buffer.alloc(0);
  count++;
  appendFileSync(args.log, `${JSON.stringify({ n: count, b64: bytes.toString('base64') })}\n`);
  const first = visible(bytes.toString('utf8')).split('\n')[0] ?? '';
  history.push('', `❯ ${first}`, '', '● Acknowledged.', '');
  if (working) {
    clearTimeout(working);
    history.splice(history.lastIndexOf('✻ Working… (esc to interrupt)'), 1);
  }
  history.push('✻ Working… (esc to interrupt)');
  working = setTimeout(() => {
    working = undefined;
    const at = history.lastIndexOf('✻ Working… (esc to interrupt)');
    if (at >= 0) history[at] = '✻ Worked for 1s · done';
    draw();
  }, args.workMs);
}

/** Feeds bytes through the terminal-input state machine. */
function feed(chunk: Buffer): void {
  if (escTimer) {
    clearTimeout(escTimer);
    escTimer = undefined;
  }
  let buf = Buffer.concat([pending, chunk]);
  pending = Buffer.alloc(0);
  while (buf.length > 0) {
    if (inPaste) {
      const end = buf.indexOf(PASTE_END);
      if (end >= 0) {
        insert(buf.subarray(0, end));
        buf = buf.subarray(end + PASTE_END.length);
        inPaste = false;
        continue;
      }
      // keep a tail that may be the start of the end marker
      let keep = 0;
      for (let k = Math.min(PASTE_END.length - 1, buf.length); k > 0; k--) {
        if (isPrefix(buf.subarray(buf.length - k), PASTE_END)) {
          keep = k;
          break;
        }
      }
      insert(buf.subarray(0, buf.length - keep));
      pending = Buffer.from(buf.subarray(buf.length - keep));
      break;
    }
    const byte = buf[0];
    if (byte === ESC) {
      const head = buf.subarray(0, PASTE_START.length);
      if (head.equals(PASTE_START)) {
        inPaste = true;
        buf = buf.subarray(PASTE_START.length);
        continue;
      }
      if (isPrefix(buf, PASTE_START)) {
        // maybe the rest is on its way; if not, these are keystrokes
        pending = Buffer.from(buf);
        escTimer = setTimeout(() => {
          escTimer = undefined;
          insert(pending);
          pending = Buffer.alloc(0);
          draw();
        }, ESC_WAIT_MS);
        break;
      }
      insert(buf.subarray(0, 1));
      buf = buf.subarray(1);
      continue;
    }
    if (byte === CR) {
      submit();
      buf = buf.subarray(1);
      continue;
    }
    insert(buf.subarray(0, 1));
    buf = buf.subarray(1);
  }
  draw();
}

/** Control characters in caret notation (`^[`, `^?`, `<U+009B>`), so they show without acting on the terminal. */
function visible(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0) ?? 0;
    if (code === 0x09) out += '    ';
    else if (code < 0x20 && code !== 0x0a) out += `^${String.fromCharCode(code + 0x40)}`;
    else if (code === 0x7f) out += '^?';
    else if (code >= 0x80 && code <= 0x9f) out += `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
    else out += c;
  }
  return out;
}

function draw(): void {
  const cols = process.stdout.columns || 200;
  const rows = process.stdout.rows || 50;
  const rule = '─'.repeat(cols);
  const boxLines = visible(box.toString('utf8'))
    .split('\n')
    .map((l, i) => (i === 0 ? `❯\u00a0${l}` : `  ${l}`))
    .map((l) => l.slice(0, cols));
  const footer = `  ⏵⏵ auto mode on (shift+tab to cycle)${working ? ' · esc to interrupt' : ''}`;
  const bottom = [rule, ...boxLines, rule, footer];
  const room = Math.max(0, rows - bottom.length);
  const top = [' ▐▛███▜▌   exact-agent (fault suite)', '', ...history.map((l) => l.slice(0, cols))].slice(-room);
  while (top.length < room) top.push('');
  process.stdout.write(`\x1b[H\x1b[2J${[...top, ...bottom].join('\r\n')}`);
}

if (process.stdin.isTTY) process.stdin.setRawMode(true);
// ask the terminal for bracketed paste, as Claude Code does (tmux wraps pastes only then)
process.stdout.write('\x1b[?2004h');
process.stdin.on('data', (chunk: Buffer) => feed(chunk));
process.stdin.on('end', () => process.exit(0));
process.stdout.on('resize', draw);
process.on('SIGTERM', () => process.exit(0));
draw();
