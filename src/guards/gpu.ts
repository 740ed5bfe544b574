/**
 * The GPU guard: nvidia-smi readings against the peer's limits (thermal abort temperature,
 * expected power limit), per GPU. Pure: preflight gathers the readings, the workflow refuses
 * GPU-heavy work on `hot`, and sends and fleet health report `drift`.
 */
import type { GpuCheck, GpuReading } from '../contracts/preflight';
import type { PeerConfig } from '../config/schema';

/** The nvidia-smi query preflight runs (CSV, no header, no units), in this column order. */
export const GPU_QUERY_FIELDS = 'index,temperature.gpu,power.draw,power.limit,memory.used';

function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number.parseFloat(s);
  return Number.isFinite(n) ? n : null;
}

/** One CSV line of GPU_QUERY_FIELDS; null for a line that is not one (a banner, an error). */
export function parseGpuLine(line: string): GpuReading | null {
  const parts = line.split(',').map((p) => p.trim());
  if (!/^\d+$/.test(parts[0] ?? '')) return null;
  return {
    index: Number(parts[0]),
    temperatureC: num(parts[1]),
    powerDrawW: num(parts[2]),
    powerLimitW: num(parts[3]),
    memoryUsedMiB: num(parts[4]),
  };
}

export function checkGpus(readings: readonly GpuReading[], cfg: PeerConfig['gpu']): GpuCheck {
  const check: GpuCheck = { hot: [], drift: [] };
  for (const g of readings) {
    const own = cfg.perGpu[String(g.index)] ?? {};
    const abortTempC = own.abortTempC ?? cfg.abortTempC;
    if (g.temperatureC !== null && g.temperatureC >= abortTempC) {
      check.hot.push({ index: g.index, temperatureC: g.temperatureC, abortTempC });
    }
    const expectedW = own.powerLimitW ?? cfg.powerLimitW;
    if (
      expectedW !== undefined &&
      g.powerLimitW !== null &&
      Math.abs(g.powerLimitW - expectedW) > cfg.powerToleranceW
    ) {
      check.drift.push({ index: g.index, powerLimitW: g.powerLimitW, expectedW });
    }
  }
  return check;
}

/** One line per finding, for warnings and the fleet report. */
export function describeGpuCheck(peer: string, check: GpuCheck): string[] {
  return [
    ...check.hot.map(
      (h) => `${peer}: GPU ${h.index} is at ${h.temperatureC} °C, at or above the abort temperature ${h.abortTempC} °C`,
    ),
    ...check.drift.map(
      (d) =>
        `${peer}: GPU ${d.index} power limit is ${d.powerLimitW} W, expected ${d.expectedW} W (drift; re-apply with nvidia-smi -i ${d.index} -pl ${d.expectedW} on the peer)`,
    ),
  ];
}
