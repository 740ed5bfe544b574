/** Line-by-line progress for a send: one line per finished step, one per new wait. */
import type { SendProgress, StepRecord } from '../contracts/send';
import { formatDuration } from '../config/duration';

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

/** Prints what changed since the last call; returns the printer for the next call. */
export class ProgressPrinter {
  private printed = new Set<string>();
  private lastWait: string | undefined;
  constructor(private readonly write: (line: string) => void) {}

  update(p: SendProgress): void {
    p.steps.forEach((s, i) => {
      const key = `${i}:${s.step}`;
      if ((s.status === 'done' || s.status === 'skipped' || s.status === 'failed') && !this.printed.has(key)) {
        this.printed.add(key);
        this.write(stepLine(s));
      }
    });
    if (p.waitingFor && p.waitingFor !== this.lastWait) this.write(`  ⏳ waiting: ${p.waitingFor}`);
    this.lastWait = p.waitingFor;
  }

  finish(steps: StepRecord[]): void {
    this.update({ workflowId: '', peer: '', phase: 'finished', steps, warnings: [] });
  }
}
