/** The fleet report as a person reads it: one summary line, one table row per peer, then the details. */
import { formatDuration } from '../config/duration';
import type { FleetPeerReport, FleetReport } from '../contracts/fleet';

const COLUMNS = ['PEER', 'VIA', 'REACHABLE', 'SESSION', 'TOKEN', 'GPUS', 'DISK', 'LOAD', 'WARNINGS'] as const;

function tokenLeft(expiresAt: number | null | undefined, now: number): string {
  if (expiresAt === null || expiresAt === undefined) return 'unknown';
  if (expiresAt <= now) return 'expired';
  return `${formatDuration(expiresAt - now)} left`;
}

function tokenCell(p: FleetPeerReport, now: number): string {
  const c = p.credentials;
  if (!c) return '-';
  switch (c.action) {
    case 'pushed':
      return `pushed, ${tokenLeft(c.expiresAt, now)}`;
    case 'skipped':
      return tokenLeft(c.expiresAt, now);
    case 'unavailable':
      return `${tokenLeft(c.expiresAt, now)}, cannot push`;
    case 'failed':
      return `${tokenLeft(c.expiresAt, now)}, push FAILED`;
  }
}

function gpuCell(p: FleetPeerReport): string {
  const g = p.gpus;
  if (!g) return '-';
  if (g.problem) return 'ERROR';
  if (g.count === null) return 'none';
  const issues = [g.hot.length ? `${g.hot.length} hot` : '', g.drift.length ? `${g.drift.length} drift` : ''].filter(
    Boolean,
  );
  return issues.length ? `${g.count}: ${issues.join(', ')}` : `${g.count} ok`;
}

function row(p: FleetPeerReport, now: number): string[] {
  const session = !p.session ? '-' : p.session.tmuxMissing ? 'no tmux' : p.session.alive ? 'alive' : 'DEAD';
  const disk = !p.disk ? '-' : `${p.disk.usePercent}%${p.disk.pressure ? ` (>=${p.disk.limitPercent}%)` : ''}`;
  return [
    p.peer,
    p.via ?? '-',
    p.ok ? 'yes' : 'NO',
    session,
    tokenCell(p, now),
    gpuCell(p),
    disk,
    p.loadAverage ? p.loadAverage[0].toFixed(2) : '-',
    p.ok ? String(p.warnings.length) : '-',
  ];
}

/** `3 peers: 2 reachable, 1 unreachable; credentials: 1 pushed; ...` (only what is not zero). */
export function fleetSummary(report: FleetReport): string {
  const c = report.counts;
  const parts = [`${c.peers} peer${c.peers === 1 ? '' : 's'}: ${c.reachable} reachable`];
  if (c.unreachable) parts[0] += `, ${c.unreachable} unreachable`;
  if (c.deadSessions) parts.push(`${c.deadSessions} dead session${c.deadSessions === 1 ? '' : 's'}`);
  const creds = [
    c.credentialsPushed ? `${c.credentialsPushed} pushed` : '',
    c.credentialsFailed ? `${c.credentialsFailed} push failed` : '',
    c.credentialsUnavailable ? `${c.credentialsUnavailable} cannot be pushed` : '',
  ].filter(Boolean);
  if (creds.length) parts.push(`credentials: ${creds.join(', ')}`);
  if (c.gpuHot) parts.push(`hot GPUs on ${c.gpuHot}`);
  if (c.gpuDrift) parts.push(`GPU power drift on ${c.gpuDrift}`);
  if (c.diskPressure) parts.push(`disk pressure on ${c.diskPressure}`);
  return parts.join('; ');
}

/** The table and, under it, what each flagged cell means (errors, pushes, warnings). */
export function fleetTable(report: FleetReport, now: number): string[] {
  const rows = [[...COLUMNS], ...report.peers.map((p) => row(p, now))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const details: string[] = [];
  for (const p of report.peers) {
    if (p.error) details.push(`${p.peer}: unreachable [${p.error.type}]: ${p.error.message}`);
    if (p.session && !p.session.alive && !p.session.tmuxMissing) {
      details.push(
        `${p.peer}: tmux session ${p.session.name} is not running (a send restarts it if the peer has a recovery method)`,
      );
    }
    const c = p.credentials;
    if (c && c.action !== 'skipped') details.push(`${p.peer}: credentials ${c.action}: ${c.reason}`);
    if (c?.problem && c.action !== 'pushed') details.push(`${p.peer}: ${c.problem}`);
    // GPU heat and drift, disk pressure and load are among the preflight's warnings.
    for (const w of p.warnings)
      details.push(`${p.peer}: ! ${w.startsWith(`${p.peer}: `) ? w.slice(p.peer.length + 2) : w}`);
  }
  return details.length ? [...lines, '', ...details.map((d) => `  ${d}`)] : lines;
}
