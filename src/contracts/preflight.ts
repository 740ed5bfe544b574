/** The preflight report: plain JSON, kept in workflow history. Never holds a secret. */

export interface GpuReading {
  index: number;
  temperatureC: number | null;
  powerDrawW: number | null;
  memoryUsedMiB: number | null;
}

export interface PreflightReport {
  peer: string;
  hostname: string;
  /** Peer clock, epoch ms. */
  peerNow: number;
  uptimeSeconds: number | null;
  loadAverage: [number, number, number] | null;
  session: { name: string; alive: boolean; tmuxMissing: boolean };
  credentials: {
    path: string;
    /** Epoch ms, or null when missing/unreadable. */
    expiresAt: number | null;
    problem?: string;
    /** Expires within the refresh window (or is missing). */
    refreshDue: boolean;
  };
  /** null when the peer has no nvidia-smi. */
  gpus: GpuReading[] | null;
  gpuProblem?: string;
  disk: { usePercent: number; sizeKiB: number; availKiB: number } | null;
  /** Non-fatal findings worth showing (disk nearly full, high load, clock skew). */
  warnings: string[];
  /** Settings the workflow needs from the peer's config, recorded so replays agree. */
  settings: {
    ackTimeoutMs: number;
    settleMs: number;
    settleTypedMs: number;
    maxExtraEnters: number;
    busyWaitMs: number;
    recovery: 'systemd' | 'tmux' | 'none';
  };
  elapsedMs: number;
}
