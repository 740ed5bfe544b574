/**
 * One peer's entry in peers.yaml: how it is reached (ssh, local, worker), its SSH and tmux
 * settings, its folders on the peer, and its sections (peer-sections.ts). The whole file's
 * schema is in schema.ts.
 */
import { z } from 'zod';
import { PEER_NAME_PATTERN } from '../contracts/route';
import { agentPathProblem } from './agent-path';
import { durationSchema } from './duration';
import {
  ackSchema,
  folderNameSchema,
  gpuSchema,
  inboxPathSchema,
  jobsSchema,
  peerPathSchema,
  peerWorkerSchema,
  recoverySchema,
  rentalSchema,
  thresholdsSchema,
  tmuxTargetSchema,
} from './peer-sections';

/** Peer names appear in workflow ids, task queues and file names: keep them plain. */
export const peerNameSchema = z
  .string()
  .regex(PEER_NAME_PATTERN, 'a peer name is letters, digits, "_", "." or "-" (at most 63)');

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
