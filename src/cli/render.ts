/** Progress for a send: one line per finished step, one status line for its wait or retry. */
import type { SendProgress, StepRecord } from '../contracts/send';
import type { PendingRetry } from '../client/send';
import { formatDuration } from '../config/duration';
import { LiveOutput, lineTerm, type Term } from './progress-term';
import { retryKey, retryStatus } from './retry-line';

const MARK: Record<StepRecord['status'], string> = {
  done: '✓',
  skipped: '·',
  failed: '✗',
  running: '…',
  waiting: '⏳',
};

/**
 * One step: its mark, name, time and detail. A skipped step shows no time: nothing ran (a paneLock
 * step the send never reached is skipped; a granted one is timed from the request to the grant).
 */
export function stepLine(s: StepRecord): string {
  const ms = s.endedAt !== undefined && s.status !== 'skipped' ? formatDuration(s.endedAt - s.startedAt) : '';
  return `  ${MARK[s.status]} ${s.step.padEnd(18)} ${ms.padStart(7)}  ${s.detail ?? ''}`.trimEnd();
}

/**
 * Prints what changed since the last call: a line per finished step, and one status line for
 * what the send waits on or which step Temporal is retrying (see progress-term.ts for how a
 * terminal and a pipe differ).
 */
export class ProgressPrinter {
  private printed = new Set<string>();
  private waiting: string | undefined;
  private retrying: PendingRetry[] = [];
  private readonly out: LiveOutput;
  constructor(
    to: Term | ((line: string) => void),
    private readonly peer?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.out = new LiveOutput(typeof to === 'function' ? lineTerm(to) : to);
  }

  update(p: SendProgress): void {
    p.steps.forEach((s, i) => {
      const key = `${i}:${s.step}`;
      if ((s.status === 'done' || s.status === 'skipped' || s.status === 'failed') && !this.printed.has(key)) {
        this.printed.add(key);
        const line = stepLine(s);
        this.out.line(
          s.status === 'failed'
            ? this.out.paint('red', line)
            : s.status === 'skipped'
              ? this.out.paint('dim', line)
              : line,
        );
      }
    });
    this.waiting = p.waitingFor;
    this.showStatus();
  }

  /** The steps Temporal retries now (from describe()); an empty list when none. */
  retries(r: PendingRetry[]): void {
    this.retrying = r;
    this.showStatus();
  }

  finish(steps: StepRecord[]): void {
    this.retrying = [];
    this.update({ workflowId: '', peer: '', phase: 'finished', steps, warnings: [] });
    this.out.end();
  }

  /** A line that stays, above the status line (a warning, the outcome's notes). */
  line(text: string): void {
    this.out.line(text);
  }

  private showStatus(): void {
    const retry = retryStatus(this.retrying, this.peer, this.now());
    if (retry) this.out.setStatus(`  ↻ ${retry}`, { key: retryKey(this.retrying), colour: 'yellow' });
    else this.out.setStatus(this.waiting ? `  ⏳ waiting: ${this.waiting}` : undefined);
  }
}
