/**
 * Step bookkeeping for a send: the progress the query shows, one record per step with its
 * times and a line a person can read, and what the send waits for right now. Each change is
 * also the workflow's current details (the UI's "Current Details"; no history event).
 */
import { setCurrentDetails } from '@temporalio/workflow';
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
    this.showDetails();
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
    this.showDetails();
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
    this.showDetails();
  }

  warn(...warnings: string[]): void {
    this.progress.warnings.push(...warnings);
  }

  /** The UI's "Current Details": `send to p1 · waitIdle: waiting — agent busy (…); waited 12 s of 1800 s`. */
  private showDetails(): void {
    setCurrentDetails(sendDetails(this.progress));
  }
}

/** What a send is doing now, in one line: its step and that step's state (or what it waits for). */
export function sendDetails(p: SendProgress): string {
  const rec = p.steps.findLast((r) => r.step === p.phase);
  const now = p.waitingFor
    ? `waiting — ${p.waitingFor}`
    : rec
      ? `${rec.status}${rec.detail ? ` (${rec.detail})` : ''}`
      : p.phase;
  return `send to ${p.peer} · ${p.phase}: ${now}`;
}
