/**
 * Where a send's live progress is written: lines that stay, and one status line for what it
 * waits on now. On a terminal the status line is rewritten in place (\r, clear line); on a pipe
 * or file it is a plain line, written only when its text changes beyond its numbers (a wait's
 * "waited 12 s" ticking on is not news). Colour honours NO_COLOR, FORCE_COLOR and non-TTYs.
 */
import { wantsColor } from '../temporal/logging';

export type Colour = 'green' | 'red' | 'yellow' | 'dim';
const SGR: Record<Colour, [string, string]> = {
  green: ['\x1b[32m', '\x1b[39m'],
  red: ['\x1b[31m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
};

/** The terminal (or pipe) progress goes to. */
export interface Term {
  /** Writes raw text (no newline added). */
  write(text: string): void;
  /** A terminal: the status line is rewritten in place. */
  tty: boolean;
  colour: boolean;
  /** The terminal's width (the status line is cut to fit, so \r can rewrite it). */
  columns?: number;
}

/** The process's stderr as a Term, honouring NO_COLOR/FORCE_COLOR. */
export function stderrTerm(env: NodeJS.ProcessEnv = process.env): Term {
  const s = process.stderr;
  const tty = s.isTTY === true;
  return {
    write: (t) => void s.write(t),
    tty,
    colour: wantsColor({ isTTY: tty }, env),
    columns: tty ? s.columns : undefined,
  };
}

/** A Term that writes whole lines through `line` (no terminal, no colour): the CLI's injected writers, tests. */
export function lineTerm(line: (l: string) => void): Term {
  let pending = '';
  return {
    write: (t) => {
      pending += t;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const p of parts) line(p);
    },
    tty: false,
    colour: false,
  };
}

/** What a wait's line is about, numbers aside: "waited 3 s of 60 s" and "waited 5 s of 60 s" are one wait. */
export function sameWaitKey(text: string): string {
  return text.replace(/\d+(\.\d+)?/g, '#');
}

const CLEAR_LINE = '\r\x1b[2K';

/** Lines that stay, under one status line that changes. */
export class LiveOutput {
  private status: { text: string; colour?: Colour } | undefined;
  private statusKey: string | undefined;
  constructor(private readonly term: Term) {}

  paint(colour: Colour, text: string): string {
    return this.term.colour ? `${SGR[colour][0]}${text}${SGR[colour][1]}` : text;
  }

  /** A line that stays (a finished step, a warning). */
  line(text: string): void {
    if (this.term.tty && this.status !== undefined) {
      this.term.write(`${CLEAR_LINE}${text}\n${this.shown(this.status)}`);
    } else {
      this.term.write(`${text}\n`);
    }
  }

  /**
   * What is going on now (undefined: nothing). A TTY rewrites the line; elsewhere a line is
   * written only when `key` (default: the text with its numbers masked) changes.
   */
  setStatus(text: string | undefined, opts: { key?: string; colour?: Colour } = {}): void {
    if (this.term.tty) {
      if (text === this.status?.text && opts.colour === this.status?.colour) return;
      this.status = text === undefined ? undefined : { text, colour: opts.colour };
      this.term.write(this.status === undefined ? CLEAR_LINE : `${CLEAR_LINE}${this.shown(this.status)}`);
      return;
    }
    const key = text === undefined ? undefined : (opts.key ?? sameWaitKey(text));
    if (text !== undefined && key !== this.statusKey) {
      this.term.write(`${opts.colour ? this.paint(opts.colour, text) : text}\n`);
    }
    this.statusKey = key;
  }

  /** Clears the status line (a TTY's last frame is not left behind). */
  end(): void {
    this.setStatus(undefined);
  }

  /** The status as drawn: cut to the terminal's width (so \r can rewrite it), then coloured. */
  private shown({ text, colour }: { text: string; colour?: Colour }): string {
    const max = (this.term.columns ?? 0) - 1;
    const chars = [...text.replace(/\s*\n\s*/g, ' ')];
    const fit = max > 10 && chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
    return colour ? this.paint(colour, fit) : fit;
  }
}
