/**
 * One PeerShell per peer, shared by every caller. Concurrent callers share one pending
 * connect; a shell that has closed (or whose connect failed) is replaced on the next get().
 */
import { hasLifecycle } from './shell';
import type { PeerShell } from './shell';

interface Slot {
  shell: Promise<PeerShell>;
  /** Set once connected, to drop the slot when that shell closes. */
  unsubscribe?: () => void;
}

export class PeerShellPool {
  private readonly slots = new Map<string, Slot>();
  private closed = false;

  constructor(private readonly connect: (peer: string) => Promise<PeerShell>) {}

  /** The shell for `peer`, connecting if there is none or the last one died. */
  get(peer: string): Promise<PeerShell> {
    if (this.closed) return Promise.reject(new Error('PeerShellPool is closed'));
    const existing = this.slots.get(peer);
    if (existing) return existing.shell;
    const slot: Slot = { shell: Promise.resolve().then(() => this.connect(peer)) };
    this.slots.set(peer, slot);
    slot.shell.then(
      (shell) => {
        if (this.slots.get(peer) !== slot) return; // evicted while connecting
        if (hasLifecycle(shell)) {
          slot.unsubscribe = shell.onClose(() => {
            if (this.slots.get(peer) === slot) this.slots.delete(peer);
          });
          if (!shell.isAlive && this.slots.get(peer) === slot) this.slots.delete(peer);
        }
      },
      () => {
        if (this.slots.get(peer) === slot) this.slots.delete(peer); // the next get() tries again
      },
    );
    return slot.shell;
  }

  /** Forgets the peer's shell and closes it (a later get() connects afresh). */
  async evict(peer: string): Promise<void> {
    const slot = this.slots.get(peer);
    if (!slot) return;
    this.slots.delete(peer);
    await closeSlot(slot);
  }

  /** Closes every shell; get() refuses afterwards. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.all(slots.map(closeSlot));
  }
}

async function closeSlot(slot: Slot): Promise<void> {
  slot.unsubscribe?.();
  const shell = await slot.shell.catch(() => undefined);
  await shell?.close().catch(() => undefined);
}
