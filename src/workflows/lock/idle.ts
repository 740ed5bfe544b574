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

/**
 * Locks started (or continued as new) before this checked a holder every few seconds even when
 * nobody waited behind it. Since, a lone holder is checked when the idle clock rings, and every
 * few seconds again from the moment someone asks for the pane: two timer events fewer per send.
 */
export const LONE_HOLD_PATCH = 'lock-lone-hold';

export class IdleClock {
  private timer: Promise<void> | undefined;
  private rang = false;
  /** A grant since the current period began. */
  private busy = false;

  constructor(private readonly idleMs: number) {}

  /**
   * During a hold nobody waits behind (LONE_HOLD_PATCH): waits until `stop` holds (false) or the
   * current period ends (true). A period that ends during a hold was not idle: the next begins.
   */
  async ringOr(stop: () => boolean): Promise<boolean> {
    this.timer ??= this.period();
    await condition(() => stop() || this.rang);
    if (stop()) return false;
    this.rang = false;
    this.timer = undefined;
    this.busy = true;
    return true;
  }

  private period(): Promise<void> {
    return sleep(this.idleMs).then(() => {
      this.rang = true;
    });
  }

  /** Waits until `ready` holds (true: a request is there) or a whole period passes without a grant (false). */
  async waitFor(ready: () => boolean): Promise<boolean> {
    for (;;) {
      this.timer ??= this.period();
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
