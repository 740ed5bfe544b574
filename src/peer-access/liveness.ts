/** Whether a shell is still usable, and who wants to hear when it stops being so (the pool). */
export class Liveness {
  private open = true;
  private readonly listeners = new Set<() => void>();

  get alive(): boolean {
    return this.open;
  }

  /** Calls listener once when closed (at once, if it already is); returns an unsubscribe. */
  onClose(listener: () => void): () => void {
    if (!this.open) {
      queueMicrotask(listener);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Marks closed, runs `cleanup` (which already sees `alive === false`), then tells every
   * listener. Returns false when it was closed before (nothing done).
   */
  close(cleanup?: () => void): boolean {
    if (!this.open) return false;
    this.open = false;
    cleanup?.();
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        // a listener's failure must not stop the others
      }
    }
    this.listeners.clear();
    return true;
  }
}
