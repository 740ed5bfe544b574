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

/** One process as /proc/<pid>/stat shows it: parent, name, own and reaped children's CPU seconds. */
interface ProcRow {
  ppid: number;
  comm: string;
  self: number;
  children: number;
}

/** Every process on the machine, by pid. */
export function processTable(): Map<number, ProcRow> {
  const rows = new Map<number, ProcRow>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const n = (i: number) => Number(f[i] ?? 0) / HZ;
      rows.set(Number(d), { ppid: Number(f[1]), comm, self: n(11) + n(12), children: n(13) + n(14) });
    } catch {
      // gone between readdir and read
    }
  }
  return rows;
}

/** The parts of the loopback stack whose CPU the split names. */
export interface StackPids {
  /** This benchmark process (its reaped children: the CLI processes). */
  bench: number;
  worker: number;
  /** The listening sshd: its descendants are the per-connection sshd processes and the peer shells. */
  sshd: number;
  /** The tmux server: its descendants are the stand-in agents and their hook processes. */
  tmux: number;
}

/**
 * CPU seconds per part of the stack between two process tables. A process that ended and was
 * reaped counts in its parent's `children` figure; one alive in both tables by its own growth.
 *
 * - worker: the controller worker (own and reaped children);
 * - temporal: the dev server (processes named `temporal` below the bench);
 * - cli: the CLI processes the bench started and reaped;
 * - sshd: the per-connection sshd processes themselves (crypto, channels);
 * - peer commands: what the peers' shells ran (tmux clients, sh -c scripts): the shells' own
 *   time and their reaped children, and exec channels' reaped by sshd;
 * - tmux server: the server process itself;
 * - stand-ins: the stand-in agents' own time (rendering, the model);
 * - hooks: the stand-ins' reaped children (the receipt-hook processes and their /bin/sh).
 */
export function cpuByPart(a: Map<number, ProcRow>, b: Map<number, ProcRow>, pids: StackPids): Map<string, number> {
  const parts = new Map<string, number>();
  const add = (part: string, s: number) => parts.set(part, (parts.get(part) ?? 0) + s);
  const under = (pid: number, root: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 50; p = b.get(p)?.ppid ?? a.get(p)?.ppid ?? 0, hops++) {
      if (p === root) return true;
    }
    return false;
  };
  for (const [pid, row] of b) {
    const was = a.get(pid);
    const self = row.self - (was?.self ?? 0);
    const children = row.children - (was?.children ?? 0);
    const parent = b.get(row.ppid);
    if (pid === pids.worker) add('controller worker', self + children);
    else if (pid === pids.bench) {
      add('bench process', self);
      add('CLI', children);
    } else if (row.comm === 'temporal' && under(pid, pids.bench)) add('Temporal server', self + children);
    else if (pid === pids.tmux) add('tmux server', self);
    else if (under(pid, pids.tmux)) {
      add('stand-ins', self);
      add('hooks', children);
    } else if (under(pid, pids.sshd)) {
      const sshd = row.comm.startsWith('sshd');
      if (!sshd && parent?.comm.startsWith('sshd')) add('peer commands', self + children);
      else if (sshd) {
        add('sshd', self);
        add('peer commands', children);
      }
    }
  }
  return parts;
}
