/**
 * Fleet health: one look at every peer (preflight, credentials pushed when due), as the report
 * the `fleetHealth` workflow returns and its `report` query shows. Plain JSON, epoch ms.
 * Never holds a secret: credentials appear as expiry times and what was done about them.
 */
import type { GpuCheck } from './preflight';
import type { PeerRoute } from './route';

export interface FleetHealthInput {
  /** Only these peers (default: every peer in the controller's peers file). */
  peers?: string[];
}

/** A configured peer as the fleet check needs it (activity listPeers, from the controller's peers file). */
export interface FleetPeerEntry {
  peer: string;
  /** Disk use at or above this percent is disk pressure (the peer's `thresholds.diskPercent`). */
  diskPercent: number;
}

/**
 * What happened to a peer's credentials: pushed (they expired within the refresh window),
 * skipped (not due, or the peer's token already lasts as long as the controller's), unavailable
 * (due, but a worker peer without SSH settings cannot be pushed to), failed (the push failed).
 */
export type FleetCredentialsAction = 'pushed' | 'skipped' | 'unavailable' | 'failed';

export interface FleetPeerCredentials {
  /** The peer token's expiry after this check (after the push when pushed); null when unknown. */
  expiresAt: number | null;
  /** The expiry the preflight found, before any push. */
  expiresAtBefore: number | null;
  refreshDue: boolean;
  action: FleetCredentialsAction;
  reason: string;
  /** Missing or unreadable file, no expiresAt (from the preflight). */
  problem?: string;
}

export interface FleetPeerReport {
  peer: string;
  /** How the peer is reached; null when even its route could not be resolved (not in the peers file). */
  via: PeerRoute['via'] | null;
  /** The peer worker's queue (via: worker). */
  taskQueue?: string;
  /** The preflight succeeded (the peer was reached). */
  ok: boolean;
  /** Why the peer could not be checked (ok: false): a failure type from ErrorType, and the reason. */
  error?: { type: string; message: string };
  hostname?: string;
  session?: { name: string; alive: boolean; tmuxMissing: boolean };
  credentials?: FleetPeerCredentials;
  gpus?: {
    /** GPUs seen by nvidia-smi; null when the peer has none (no nvidia-smi). */
    count: number | null;
    hot: GpuCheck['hot'];
    drift: GpuCheck['drift'];
    problem?: string;
  };
  disk?: { usePercent: number; limitPercent: number; pressure: boolean } | null;
  loadAverage?: [number, number, number] | null;
  /** The preflight's warnings (disk, load, clock skew, GPUs) and the fleet check's own. */
  warnings: string[];
  /** When this peer's check finished (epoch ms). */
  checkedAt: number;
  elapsedMs: number;
}

export interface FleetCounts {
  peers: number;
  reachable: number;
  unreachable: number;
  deadSessions: number;
  credentialsPushed: number;
  credentialsFailed: number;
  credentialsUnavailable: number;
  gpuDrift: number;
  gpuHot: number;
  diskPressure: number;
}

export interface FleetReport {
  workflowId: string;
  startedAt: number;
  /** null while the check runs (the `report` query shows the peers done so far). */
  finishedAt: number | null;
  /** Peers in the order they were asked for (their peers-file order by default). */
  peers: FleetPeerReport[];
  /** Peers still being checked. */
  pending: string[];
  counts: FleetCounts;
}

/** The Temporal Schedule that runs fleetHealth: `peer-comms-fleet-health` for the default queue. */
export function fleetScheduleId(controllerQueue: string): string {
  return `${controllerQueue}-fleet-health`;
}

/** The workflow id of a check started by hand: `fleet-health-20261125-173913-<suffix>`. */
export function fleetWorkflowId(now: Date, suffix: string): string {
  const t = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '-');
  return `fleet-health-${t}-${suffix}`;
}

/** The counts of a set of peer reports. */
export function countFleet(peers: readonly FleetPeerReport[]): FleetCounts {
  const n = (pred: (p: FleetPeerReport) => boolean): number => peers.filter(pred).length;
  return {
    peers: peers.length,
    reachable: n((p) => p.ok),
    unreachable: n((p) => !p.ok),
    deadSessions: n((p) => p.session !== undefined && !p.session.alive),
    credentialsPushed: n((p) => p.credentials?.action === 'pushed'),
    credentialsFailed: n((p) => p.credentials?.action === 'failed'),
    credentialsUnavailable: n((p) => p.credentials?.action === 'unavailable'),
    gpuDrift: n((p) => (p.gpus?.drift.length ?? 0) > 0),
    gpuHot: n((p) => (p.gpus?.hot.length ?? 0) > 0),
    diskPressure: n((p) => p.disk?.pressure === true),
  };
}
