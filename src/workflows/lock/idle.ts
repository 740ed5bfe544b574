/**
 * The pane lock's idle clock (since the lock-idle-clock patch): one timer of `idleMs` that keeps
 * running across grants instead of one started and cancelled around every hold. When it fires,
 * the lock ends if nobody was granted the pane in that whole period, else it starts the next
 * period. A lock so ends between idleMs and twice idleMs after its last grant, never sooner; a
 * send costs the lock two timer events fewer, and a busy lock one timer (fired, started) per
 * idleMs.
 */
import { condition, sleep } from '@temporalio/workflow';

/** Locks started (or continued as new) before this waited for each request with its own timer. */
export const IDLE_CLOCK_PATCH = 'lock-idle-clock';

export class IdleClock {
  private timer: Promise<void> | undefined;
  private rang = false;
  /** A grant since the current period began. */
  private busy = false;

  constructor(private readonly idleMs: number) {}

  /** Waits until `ready` holds (true: a request is there) or a whole period passes without a grant (false). */
  async waitFor(ready: () => boolean): Promise<boolean> {
    for (;;) {
      this.timer ??= sleep(this.idleMs).then(() => {
        this.rang = true;
      });
      await condition(() => ready() || this.rang);
      if (ready()) {
        this.busy = true;
        return true;
      }
      this.rang = false;
      this.timer = undefined;
      if (!this.busy) return false;
      this.busy = false;
    }
  }
}
