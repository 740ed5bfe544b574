/**
 * The peers file (peers.yaml): one zod schema for the whole file. Every field a person can
 * get wrong is checked here, before anything connects anywhere. The controller's part is below;
 * a peer's entry is in peer-schema.ts, its sections in peer-sections.ts.
 */
import { z } from 'zod';
import { peerNameSchema, peerSchema } from './peer-schema';
import { notifiersSchema } from './notify-schema';

export { peerNameSchema, peerSchema } from './peer-schema';

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
    /** How the CLI talks about Temporal: `uiUrl` is the Web UI its links point at (see src/temporal/ui-link.ts). */
    temporal: z
      .object({
        uiUrl: z
          .string()
          .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, "expected the Web UI's http(s) URL, like https://temporal.example.com")
          .optional(),
      })
      .strict()
      .default({}),
    /** Named lists of peers for a broadcast: `peer-comms send gpus <text>` sends to each. */
    groups: z.record(peerNameSchema, z.array(peerNameSchema).min(1, 'a group lists at least one peer')).default({}),
    /** Who is told when a job awaits a decision, a send or job fails, or a job is done (notify-schema.ts). */
    notify: notifiersSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const [name, members] of Object.entries(c.groups)) {
      if (name in c.peers)
        ctx.addIssue({ code: 'custom', path: ['groups', name], message: `"${name}" is a peer's name too` });
      const unknown = members.filter((m) => !(m in c.peers));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['groups', name], message: `unknown peers: ${unknown.join(', ')}` });
      }
      const twice = members.filter((m, i) => members.indexOf(m) !== i);
      if (twice.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['groups', name],
          message: `listed twice: ${[...new Set(twice)].join(', ')}`,
        });
      }
    }
  });

export type PeerConfig = z.output<typeof peerSchema>;
export type ControllerConfig = z.output<typeof controllerSchema>;
export type Config = z.output<typeof configSchema>;
