/**
 * The peers file's `notify:` list: who is told when a job waits for a person, a send or a job
 * fails, or (opt-in) a job is done. Secrets (tokens, a Slack webhook's URL) are never written
 * here: a notifier names the environment variable that holds them, read on the controller when
 * the notification goes out (so they never reach a workflow's history).
 */
import { z } from 'zod';
import { NOTIFY_EVENTS } from '../contracts/notify';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

/** A header's value: written here (not a secret), or `{ env: NAME }` read from the controller's environment. */
const headerValue = z.union([z.string(), z.object({ env: envName }).strict()]);

const headers = z
  .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name'), headerValue)
  .optional();

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'expected an http:// or https:// URL');

const common = {
  /** Shown in the worker log and the UI when this notifier fails. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a name of letters, digits, ".", "_", "-"'),
  /** The events it is told about (default: awaiting-resolution and failed; done is opt-in). */
  on: z.array(z.enum(NOTIFY_EVENTS)).min(1, 'name at least one event').default(['awaiting-resolution', 'failed']),
};

/** Where an HTTP notifier posts: `url`, or `urlEnv` naming the variable that holds it (a Slack URL is a secret). */
const target = { url: httpUrl.optional(), urlEnv: envName.optional(), headers };

const oneTarget = (n: { url?: string; urlEnv?: string }) => (n.url === undefined) !== (n.urlEnv === undefined);
const oneTargetMessage = { message: 'give exactly one of url and urlEnv' };

export const notifierSchema = z.discriminatedUnion('kind', [
  z
    .object({ ...common, kind: z.literal('webhook'), ...target })
    .strict()
    .refine(oneTarget, oneTargetMessage),
  z
    .object({ ...common, kind: z.literal('slack'), ...target })
    .strict()
    .refine(oneTarget, oneTargetMessage),
  z
    .object({
      ...common,
      kind: z.literal('ntfy'),
      server: httpUrl.default('https://ntfy.sh'),
      topic: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected an ntfy topic (letters, digits, "_", "-")'),
      headers,
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal('command'),
      /** The program and its arguments (no shell): the event's JSON comes on its stdin. */
      command: z.array(z.string().min(1)).min(1, 'the program to run, then its arguments'),
    })
    .strict(),
]);

export const notifiersSchema = z
  .array(notifierSchema)
  .default([])
  .superRefine((list, ctx) => {
    const names = list.map((n) => n.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length > 0) ctx.addIssue({ code: 'custom', message: `notifier names used twice: ${twice.join(', ')}` });
  });

export type NotifierConfig = z.output<typeof notifierSchema>;
