/**
 * The peers file (peers.yaml): one zod schema for the whole file. Every field a person can
 * get wrong is checked here, before anything connects anywhere.
 */
import { z } from 'zod';
import { PEER_NAME_PATTERN } from '../contracts/route';
import { durationSchema } from './duration';
import { agentPathProblem } from '../peer-access/ssh-agent';

/** Peer names appear in workflow ids, task queues and file names: keep them plain. */
export const peerNameSchema = z
  .string()
  .regex(PEER_NAME_PATTERN, 'a peer name is letters, digits, "_", "." or "-" (at most 63)');

/** tmux `session:window` or `session:window.pane`. */
const tmuxTargetSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_-]+(\.\d+)?)?$/,
    'expected a tmux target like "claude-team-1:0" or "claude:0.1"',
  );

/** A path on the peer (Linux): absolute, or relative to the peer user's home with `~/`. */
const peerPathSchema = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/') || p.startsWith('~/'), 'expected an absolute path or one starting with ~/')
  .refine((p) => !p.split('/').includes('..'), 'a path may not contain ".."')
  .refine((p) => !/[\0\n\r]/.test(p), 'a path may not contain NUL or line breaks');

const recoverySchema = z.discriminatedUnion('method', [
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

const thresholdsSchema = z
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

const gpuSchema = gpuLimitsSchema
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
const rentalSchema = z
  .object({
    /** Host-CPU work waits while the 1-minute load average is above this. */
    maxLoadAverage: z.number().positive().default(3),
    /** How long work may wait for the load to drop before the send fails. */
    maxWait: durationSchema.default(2 * 3_600_000),
    /** How often the load is read again while waiting. */
    checkEvery: durationSchema.pipe(z.number().min(1000, 'at least 1s')).default(60_000),
  })
  .strict();

const peerWorkerSchema = z
  .object({
    /** How long an activity waits for the peer worker to pick it up before the send fails. */
    pickupTimeout: durationSchema.pipe(z.number().min(1000, 'at least 1s')).default(30 * 60_000),
  })
  .strict();

const ackSchema = z
  .object({
    /** How long to wait for the agent to visibly start working after C-m. */
    timeout: durationSchema.default(60_000),
    /** Pause between the paste and C-m, so the agent does not take C-m as part of the paste. */
    settle: durationSchema.default(250),
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
const folderNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,62}$/, 'a folder name is letters, digits, "_", "." or "-" (at most 63)');

/**
 * The phone-home inbox: relative to the workdir (`inbox`, `sartor/memory/inbox`), or an
 * absolute / `~/` path.
 */
const inboxPathSchema = z
  .string()
  .min(1)
  .refine((p) => !p.split('/').includes('..'), 'a path may not contain ".."')
  .refine((p) => !/[\0\n\r\\]/.test(p), 'a path may not contain NUL, line breaks or backslashes')
  .refine((p) => !p.startsWith('~') || p.startsWith('~/'), 'only "~/" (the peer user\'s home) is supported');

const jobsSchema = z
  .object({
    /** How often a running job lists the peer's inbox for phone-homes and its DONE marker. */
    scanInterval: durationSchema.pipe(z.number().min(1000, 'at least 1s')).default(2 * 60_000),
  })
  .strict();

export const peerSchema = z
  .object({
    /**
     * ssh: over SSH from the controller; local: a peer that is this machine (no SSH); worker: a
     * peer worker on the peer serves the task queue `<controller queue>@<name>` (no SSH; SSH
     * settings, if given, are used only to push credentials).
     */
    via: z.enum(['ssh', 'local', 'worker']).default('ssh'),
    worker: peerWorkerSchema.default(() => peerWorkerSchema.parse({})),
    /** GPU guard: expected power limit and thermal abort temperature (nvidia-smi). */
    gpu: gpuSchema.default(() => gpuSchema.parse({})),
    /** Marks the peer as rented out (see rentalSchema); leave out for a peer of your own. */
    rental: rentalSchema.optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).default(22),
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'expected a user name')
      .optional(),
    /** Private key on the controller (OpenSSH, or a format-2 RSA .ppk); `agent` uses an SSH agent instead or too. */
    privateKey: z.string().optional(),
    /**
     * The environment variable holding the key's passphrase (default PEER_COMMS_KEY_PASSPHRASE);
     * without it, a passphrase-protected key is asked for on the terminal when a command starts.
     */
    passphraseEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, "_")')
      .optional(),
    /**
     * true: SSH_AUTH_SOCK, on Windows without it the OpenSSH agent pipe, else Pageant; `pageant`,
     * `openssh` (Windows: \\.\pipe\openssh-ssh-agent); or the agent's socket / pipe path.
     */
    agent: z
      .union([z.boolean(), z.string()], {
        error: 'expected true, false, pageant, openssh, or the path of an agent socket or pipe',
      })
      .superRefine((value, ctx) => {
        if (typeof value !== 'string' || value === 'pageant' || value === 'openssh') return;
        const problem = agentPathProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default(false),
    /** known_hosts on the controller (OpenSSH format, hashed entries allowed). */
    knownHosts: z.string().default('~/.ssh/known_hosts'),
    tmux: z
      .object({
        /** Socket name (`tmux -L`); leave out for the default server. */
        socket: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+$/)
          .optional(),
        /** Socket path (`tmux -S`). */
        socketPath: peerPathSchema.optional(),
        target: tmuxTargetSchema.default('claude-team-1:0'),
      })
      .strict()
      .default({ target: 'claude-team-1:0' }),
    workdir: peerPathSchema.default('~/'),
    /** The agent's OAuth credentials file on the peer. */
    credentialsPath: peerPathSchema.default('~/.claude/.credentials.json'),
    /** Where the peer stages text for heavy sends (created 0700). */
    stagingDir: peerPathSchema.default('~/.cache/peer-comms'),
    /** Claude Code's folder on the peer (`CLAUDE_CONFIG_DIR` if the agent runs with one): its transcripts are under projects/. */
    claudeDir: peerPathSchema.default('~/.claude'),
    /** Where peer-comms keeps the agent's receipt hook, settings file and event log on the peer (0700). */
    agentStateDir: peerPathSchema.default('~/.local/state/peer-comms/agent'),
    recovery: recoverySchema.default({ method: 'none' }),
    ack: ackSchema.default(() => ackSchema.parse({})),
    thresholds: thresholdsSchema.default(() => thresholdsSchema.parse({})),
    /** Phone-home inbox: `<workdir>/<inbox>/<inboxHost>/PHONE-HOME-<topic>.md`. */
    inbox: inboxPathSchema.default('inbox'),
    /** The folder under the inbox this peer writes to; default: the peer's name. */
    inboxHost: folderNameSchema.optional(),
    jobs: jobsSchema.default(() => jobsSchema.parse({})),
    /** Slash commands `peer-comms command` may type into this peer's agent. */
    commands: z
      .object({
        allowed: z
          .array(z.string().regex(/^\/[a-z][a-z0-9-]{0,39}$/, 'a slash command name like /compact'))
          .default(['/clear', '/compact']),
        /** How long a command may take (a /compact summarises the conversation through the API). */
        timeout: durationSchema.default(5 * 60_000),
      })
      .strict()
      .default({ allowed: ['/clear', '/compact'], timeout: 5 * 60_000 }),
  })
  .strict()
  .superRefine((peer, ctx) => {
    if (peer.via === 'worker' && (peer.host || peer.user)) {
      // SSH settings on a worker peer are for credential pushes only: then they must be whole.
      if (!peer.host)
        ctx.addIssue({
          code: 'custom',
          path: ['host'],
          message: 'give host with user (for credential pushes over SSH)',
        });
      if (!peer.user)
        ctx.addIssue({
          code: 'custom',
          path: ['user'],
          message: 'give user with host (for credential pushes over SSH)',
        });
      if (!peer.privateKey && !peer.agent) {
        ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'give a private key path, or set agent: true' });
      }
    }
    if (peer.via === 'ssh') {
      if (!peer.host) ctx.addIssue({ code: 'custom', path: ['host'], message: 'required for a peer reached via ssh' });
      if (!peer.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'required for a peer reached via ssh' });
      if (!peer.privateKey && !peer.agent) {
        ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'give a private key path, or set agent: true' });
      }
    }
    if (peer.tmux.socket && peer.tmux.socketPath) {
      ctx.addIssue({ code: 'custom', path: ['tmux'], message: 'give socket or socketPath, not both' });
    }
  });

export const controllerSchema = z
  .object({
    /** The controller's own Claude credentials, pushed to peers whose token runs out. */
    credentialsPath: z.string().default('~/.claude/.credentials.json'),
    /** Append-only JSONL audit log of every send. */
    auditLog: z.string().default('~/.peer-comms/audit.jsonl'),
    /** The controller worker's task queue; a `via: worker` peer's worker serves `<this>@<peer name>`. */
    taskQueue: z
      .string()
      .regex(/^[A-Za-z0-9_.@-]+$/)
      .default('peer-comms'),
    /** The controller's git repository (local path); a finished job fetches and fast-forwards it. */
    repo: z.string().min(1).optional(),
    /** The remote a finished job fetches from. */
    gitRemote: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'expected a git remote name')
      .default('origin'),
    /** The branch a finished job fast-forwards (it must be the one checked out in `repo`). */
    gitBranch: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/, 'expected a git branch name')
      .refine((b) => !b.includes('..') && !b.endsWith('/') && !b.endsWith('.lock'), 'expected a git branch name')
      .default('main'),
    /** Encryption at rest: the payload codec's key file (`id:base64key` lines, mode 0600); see src/temporal/codec.ts. */
    codec: z
      .object({ keyFile: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();

export const configSchema = z
  .object({
    controller: controllerSchema.default(() => controllerSchema.parse({})),
    peers: z.record(peerNameSchema, peerSchema).refine((p) => Object.keys(p).length > 0, 'no peers defined'),
  })
  .strict();

export type PeerConfig = z.output<typeof peerSchema>;
export type ControllerConfig = z.output<typeof controllerSchema>;
export type Config = z.output<typeof configSchema>;
