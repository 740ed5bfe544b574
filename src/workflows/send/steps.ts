/**
 * Step bookkeeping for a send: the progress the query shows, one record per step with its
 * times and a line a person can read, and what the send waits for right now.
 */
import type { SendProgress, StepName, StepRecord } from '../../contracts/send';

export class StepLog {
  readonly progress: SendProgress;

  constructor(workflowId: string, peer: string) {
    this.progress = { workflowId, peer, phase: 'starting', steps: [], warnings: [] };
  }

  /** Starts a step: it becomes the phase shown. */
  begin(step: StepName, status: StepRecord['status'] = 'running'): StepRecord {
    const rec: StepRecord = { step, status, startedAt: Date.now() };
    this.progress.steps.push(rec);
    this.progress.phase = step;
    return rec;
  }

  /** A step that waits from now on without being the phase shown (the pane lock during preflight). */
  pending(step: StepName): StepRecord {
    const rec: StepRecord = { step, status: 'waiting', startedAt: Date.now() };
    this.progress.steps.push(rec);
    return rec;
  }

  end(rec: StepRecord, status: StepRecord['status'], detail?: string): void {
    rec.status = status;
    rec.endedAt = Date.now();
    if (detail !== undefined) rec.detail = detail;
  }

  skip(step: StepName, detail: string): void {
    const now = Date.now();
    this.progress.steps.push({ step, status: 'skipped', startedAt: now, endedAt: now, detail });
  }

  /** Ends every step still running or waiting as failed. */
  failOpen(detail?: string): void {
    for (const rec of this.progress.steps) {
      if (rec.status === 'running' || rec.status === 'waiting') this.end(rec, 'failed', detail);
    }
  }

  /** What the send waits for now (undefined: nothing). */
  waitFor(what: string | undefined): void {
    this.progress.waitingFor = what;
  }

  warn(...warnings: string[]): void {
    this.progress.warnings.push(...warnings);
  }
}
