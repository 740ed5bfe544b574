/** Small statistics for the benchmarks. */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Samples by name, in the order they were first recorded. */
export class Samples {
  private readonly by = new Map<string, number[]>();

  add(name: string, value: number): void {
    const xs = this.by.get(name) ?? [];
    xs.push(value);
    this.by.set(name, xs);
  }

  get(name: string): number[] {
    return this.by.get(name) ?? [];
  }

  median(name: string): number {
    return median(this.get(name));
  }
}
