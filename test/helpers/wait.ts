/** Polls `pred` until it returns true; rejects after `timeoutMs` with a message naming `what`. */
export async function waitFor(
  pred: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
