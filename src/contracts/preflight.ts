/** The preflight report: plain JSON, kept in workflow history. Never holds a secret. */

export interface GpuReading {
  index: number;
  temperatureC: number | null;
  powerDrawW: number | null;
  /** The enforced power limit (W). */
  powerLimitW: number | null;
  memoryUsedMiB: number | null;
}

/** GPU readings against the peer's limits (src/guards/gpu.ts). */
export interface GpuCheck {
  /** At or above the thermal abort temperature: GPU-heavy work is refused. */
  hot: { index: number; temperatureC: number; abortTempC: number }[];
  /** Power limit away from the expected value: reported as a warning. */
  drift: { index: number; powerLimitW: number; expectedW: number }[];
}

/** A rental peer's load rule, recorded in the report so the workflow's wait replays the same. */
export interface RentalSettings {
  maxLoadAverage: number;
  maxWaitMs: number;
  checkEveryMs: number;
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
  /** nvidia-smi failed, or is missing on a peer configured with a power limit. */
  gpuProblem?: string;
  gpuCheck: GpuCheck;
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
    /** How long a received turn must stay free of API errors to be acked (absent in old histories). */
    confirmMs?: number;
    /** The longest a send waits out a rate limit before delivering again. */
    rateLimitWaitMs?: number;
    /** Deliveries again after an overloaded / server_error turn. */
    overloadedRetries?: number;
    /** The wait for a rate limit without a reset time, and the first overload backoff. */
    rateLimitPauseMs?: number;
    overloadedBackoffMs?: number;
    recovery: 'systemd' | 'tmux' | 'none';
    /** null: not a rental peer. */
    rental: RentalSettings | null;
  };
  elapsedMs: number;
}
