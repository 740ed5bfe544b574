/**
 * Where a broadcast's time goes on this one machine: CPU seconds of the whole machine (/proc/stat)
 * and of chosen processes (/proc/<pid>/stat, their own plus their waited-for children), so the
 * report can say how much of a 20-peer broadcast was the controller and how much the 20 simulated
 * peers (sshd, tmux, stand-in agents, their hook processes) that share its two cores.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's counters (USER_HZ, 100 on Linux). */
const HZ = 100;

export interface CpuSnapshot {
  /** Busy CPU seconds of the machine, all cores (user, nice, system, irq, softirq, steal). */
  busy: number;
  /** Wall and idle CPU seconds, all cores. */
  total: number;
  /** CPU seconds per watched pid (own + reaped children). */
  procs: Map<number, number>;
}

function machine(): { busy: number; total: number } {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user, nice, system, idle, iowait, irq, softirq, steal] = first.trim().split(/\s+/).slice(1).map(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy: busy / HZ, total: (busy + (idle ?? 0) + (iowait ?? 0)) / HZ };
}

function procSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the fields after the command name, which may hold spaces: utime stime cutime cstime are 14–17
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(rest[i] ?? 0), 0) / HZ;
  } catch {
    return NaN;
  }
}

export function cpuSnapshot(pids: number[]): CpuSnapshot {
  return { ...machine(), procs: new Map(pids.map((p) => [p, procSeconds(p)])) };
}

export interface CpuSpent {
  /** Busy CPU seconds of the machine between the snapshots. */
  busy: number;
  /** Share of the machine's CPU capacity that was busy (0–1). */
  load: number;
  /** CPU seconds per watched pid. */
  procs: Map<number, number>;
}

export function cpuSpent(a: CpuSnapshot, b: CpuSnapshot): CpuSpent {
  const procs = new Map([...b.procs].map(([pid, s]) => [pid, s - (a.procs.get(pid) ?? NaN)]));
  const busy = b.busy - a.busy;
  return { busy, load: busy / Math.max(b.total - a.total, 1e-9), procs };
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return NaN;
  }
}

/**
 * Pids whose command name (/proc/<pid>/comm) is `name` and that descend from `ancestor` (this
 * run's own Temporal dev server, not another one on the machine).
 */
export function pidsNamed(name: string, ancestor = process.pid): number[] {
  const descends = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 50; p = parentOf(p), hops++) if (p === ancestor) return true;
    return false;
  };
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(descends);
}
