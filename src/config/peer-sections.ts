/**
 * The sections of a peer's entry in peers.yaml (recovery, ack, thresholds, gpu, rental, worker,
 * jobs) and the kinds of value they hold (peer paths, tmux targets, folder names). The entry
 * itself is put together in peer-schema.ts.
 */
import { z } from 'zod';
import { durationSchema } from './duration';

/** tmux `session:window` or `session:window.pane`. */
export const tmuxTargetSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_-]+(\.\d+)?)?$/,
    'expected a tmux target like "claude-team-1:0" or "claude:0.1"',
  );

/** A path on the peer (Linux): absolute, or relative to the peer user's home with `~/`. */
export const peerPathSchema = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/') || p.startsWith('~/'), 'expected an absolute path or one starting with ~/')
  .refine((p) => !p.split('/').includes('..'), 'a path may not contain ".."')
  .refine((p) => !/[\0\n\r]/.test(p), 'a path may not contain NUL or line breaks');

export const recoverySchema = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('systemd'),
    /** A user unit restarted with `systemctl --user restart <unit>`. */
    unit: z.string().regex(/^[A-Za-z0-9@_.:-]+$/, 'expected a systemd unit name'),
    /** How long to wait for the agent's idle prompt after the restart. */
    readyTimeout: durationSchema.default(60_000),
  }),
  z.object({
    method: z.literal('tmux'),
    /** The command tmux runs in the new session (from this file, never from message text). */
    command: z.string().min(1),
    /**
     * Start the agent with peer-comms' receipt hooks: `--settings <file>` is appended to the
     * command (or replaces `{settings}` in it, for a command that wraps claude). false: the
     * agent keeps no hook receipts and its transcript serves instead.
     */
    hooks: z.boolean().default(true),
    /** A restart after a 401 keeps the conversation: ` --continue` is appended to the command. */
    continueOnRestart: z.boolean().default(true),
    width: z.number().int().min(80).default(200),
    height: z.number().int().min(24).default(50),
    readyTimeout: durationSchema.default(60_000),
  }),
  z.object({ method: z.literal('none') }),
]);

const screenPatternOverrideSchema = z
  .object({
    working: z.array(z.string()).optional(),
    placeholders: z.array(z.string()).optional(),
    dialogs: z.array(z.object({ kind: z.string(), pattern: z.string() })).optional(),
    errors: z.array(z.object({ kind: z.string(), pattern: z.string() })).optional(),
  })
  .strict();

export const thresholdsSchema = z
  .object({
    /** Push fresh credentials when the peer's token expires within this window. */
    credentialRefresh: durationSchema.default(4 * 3_600_000),
    /** Warn when / is fuller than this (percent). */
    diskPercent: z.number().min(1).max(100).default(90),
    /** Warn when the 1-minute load average is above this. */
    loadAverage: z.number().positive().default(8),
    /** Where the peer's load average is read (Linux /proc/loadavg format). */
    loadAverageFile: peerPathSchema.default('/proc/loadavg'),
    /** How long a send rides out an unreachable peer (reboots, a dropped link), retrying with backoff. */
    outageWindow: durationSchema.default(10 * 60_000),
  })
  .strict();

/** Per-GPU limits; any field left out falls back to the peer-wide value. */
const gpuLimitsSchema = z
  .object({
    /** The power limit the GPU should run at (W); a different reading is reported as drift. */
    powerLimitW: z.number().positive().optional(),
    /** GPU-heavy work is refused while the GPU is at or above this temperature (°C). */
    abortTempC: z.number().positive().max(120).optional(),
  })
  .strict();

export const gpuSchema = gpuLimitsSchema
  .extend({
    /** The reference's abort threshold: GPU-heavy work is refused at or above it (°C). */
    abortTempC: z.number().positive().max(120).default(88),
    /** The nvidia-smi command on the peer (name on PATH, or absolute path). */
    nvidiaSmi: z
      .string()
      .regex(/^[A-Za-z0-9_./~-]+$/, 'expected a command name or path')
      .default('nvidia-smi'),
    /** A power-limit reading this many watts away from powerLimitW counts as drift. */
    powerToleranceW: z.number().min(0).default(5),
    /** Limits for single GPUs by index, e.g. `"0": { abortTempC: 85 }`. */
    perGpu: z.record(z.string().regex(/^\d+$/, 'a GPU index'), gpuLimitsSchema).default({}),
  })
  .strict();

/**
 * A peer whose GPUs are rented out: nothing may touch the rental container or reset a GPU (the
 * command allow-list in src/guards refuses it), and host-CPU work waits while the load is high.
 */
export const rentalSchema = z
  .object({
    /** Host-CPU work waits while the 1-minute load average is above this. */
    maxLoadAverage: z.number().positive().default(3),
    /** How long work may wait for the load to drop before the send fails. */
    maxWait: durationSchema.default(2 * 3_600_000),
    /** How often the load is read again while waiting. */
    checkEvery: durationSchema.pipe(z.number().min(1000, 'at least 1s')).default(60_000),
  })
  .strict();

export const peerWorkerSchema = z
  .object({
    /** How long an activity waits for the peer worker to pick it up before the send fails. */
    pickupTimeout: durationSchema.pipe(z.number().min(1000, 'at least 1s')).default(30 * 60_000),
  })
  .strict();

export const ackSchema = z
  .object({
    /** How long to wait for the agent to visibly start working after C-m. */
    timeout: durationSchema.default(60_000),
    /**
     * Pause between the paste and C-m, so the agent does not take C-m as part of the paste.
     * Measured (issue 12, `npm run bench:paste-window`, test/contract/FINDINGS.md §4): the real
     * Claude Code 2.1.328 took C-m as Enter in 42 of 42 trials, from no gap at all (paste-buffer
     * and C-m in one tmux call) up to 80 ms, for 3-, 300- and 5,000-line pastes. 30 ms keeps a
     * margin for slower machines and versions; a C-m that is swallowed all the same is pressed
     * again once the screen proves the text still sits in the box (awaitAck).
     */
    settle: durationSchema.default(30),
    /** Pause between typed text (light path, no paste) and C-m. */
    settleTyped: durationSchema.default(30),
    /** How long a received turn must show no API error (no StopFailure, no error line) before it is acked. */
    confirm: durationSchema.default(3000),
    /** The longest a send waits out the agent's rate limit (429) before delivering the text again. */
    rateLimitWait: durationSchema.default(2 * 3_600_000),
    /** How long to wait out a rate limit whose reset time the agent does not show, before delivering again. */
    rateLimitPause: durationSchema.default(5 * 60_000),
    /** How often a turn failing with `overloaded` / `server_error` is delivered again (with backoff). */
    overloadedRetries: z.number().int().min(0).max(10).default(3),
    /** The first pause before delivering again after an overloaded turn; it doubles each time. */
    overloadedBackoff: durationSchema.default(30_000),
    /** How many extra C-m presses when the text still sits unsent in the input box. */
    maxExtraEnters: z.number().int().min(0).max(10).default(3),
    /** How long a send waits for a busy agent to become idle (unless sent with --queue). */
    busyWait: durationSchema
      .pipe(z.number().max(2 * 3_600_000, 'at most 2h (the pane lock lease is 3h)'))
      .default(30 * 60_000),
    patterns: screenPatternOverrideSchema.optional(),
  })
  .strict();

/** A folder name on the peer (the inbox host folder): no separators, no dot-dot. */
export const folderNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,62}$/, 'a folder name is letters, digits, "_", "." or "-" (at most 63)');

/**
 * The phone-home inbox: relative to the workdir (`inbox`, `sartor/memory/inbox`), or an
 * absolute / `~/` path.
 */
export const inboxPathSchema = z
  .string()
  .min(1)
  .refine((p) => !p.split('/').includes('..'), 'a path may not contain ".."')
  .refine((p) => !/[\0\n\r\\]/.test(p), 'a path may not contain NUL, line breaks or backslashes')
  .refine((p) => !p.startsWith('~') || p.startsWith('~/'), 'only "~/" (the peer user\'s home) is supported');

export const jobsSchema = z
  .object({
    /** How often a running job lists the peer's inbox for phone-homes and its DONE marker. */
    scanInterval: durationSchema.pipe(z.number().min(1000, 'at least 1s')).default(2 * 60_000),
  })
  .strict();
