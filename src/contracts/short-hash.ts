/**
 * FNV-1a (32 bit) in base36: a short, stable, non-cryptographic key for ids and texts. Pure
 * arithmetic, so workflow code may use it (no crypto module in the workflow sandbox).
 */
export function fnv1a36(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}
