/**
 * The broadcast's live table: one row per peer (phase, last step, outcome). On a TTY the rows
 * are redrawn in place; otherwise a row is printed as a plain line whenever its phase or outcome
 * changes (so a log shows each peer's way through the steps, once each).
 */
import type { SendOutcome, SendProgress } from '../contracts/send';
import { stepLine } from './render';

export interface PeerRow {
  peer: string;
  /** The step running now, 'starting', or 'finished'. */
  phase: string;
  /** The last step ended (mark, name, time, detail), or what the send waits for. */
  step: string;
  outcome?: SendOutcome;
}

/** A row from a child's progress (undefined: not started yet). */
export function rowOf(peer: string, p: SendProgress | undefined, outcome?: SendOutcome, note?: string): PeerRow {
  if (!p) return { peer, phase: outcome ? 'finished' : 'starting', step: note ?? '', outcome };
  const last = [...p.steps].reverse().find((s) => s.status !== 'running' && s.status !== 'waiting');
  const step = p.waitingFor ? `⏳ ${p.waitingFor}` : last ? stepLine(last).trim() : '';
  return { peer, phase: outcome ? 'finished' : p.phase, step: note ?? step, outcome };
}

/**
 * Whether the table may be redrawn in place (cursor up, erase line): a terminal that is not
 * TERM=dumb (an editor's shell buffer, for one, prints those escapes as text). Else plain lines.
 */
export function redrawsInPlace(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export class BroadcastTable {
  private drawn = 0;
  private lastKey = new Map<string, string>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly columns = 100,
  ) {}

  update(rows: PeerRow[]): void {
    if (this.tty) this.redraw(rows);
    else this.lines(rows);
  }

  private redraw(rows: PeerRow[]): void {
    const width = Math.max(...rows.map((r) => r.peer.length), 4);
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const r of rows) text += `\x1b[2K${this.format(r, width).slice(0, Math.max(20, this.columns - 1))}\n`;
    this.drawn = rows.length;
    this.write(text);
  }

  private lines(rows: PeerRow[]): void {
    const width = Math.max(...rows.map((r) => r.peer.length), 4);
    for (const r of rows) {
      const key = `${r.phase}|${r.outcome ?? ''}`;
      if (this.lastKey.get(r.peer) === key) continue;
      this.lastKey.set(r.peer, key);
      this.write(`${this.format(r, width)}\n`);
    }
  }

  private format(r: PeerRow, width: number): string {
    return `  ${r.peer.padEnd(width)}  ${r.phase.padEnd(14)}  ${(r.outcome ?? '…').padEnd(11)}  ${r.step}`.trimEnd();
  }
}
