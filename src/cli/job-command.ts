/**
 * `peer-comms job …`: start a peerJob, list jobs (those awaiting a person), show one with its
 * phone-home, resolve it (a/b/c + note), complete it. The job runs in Temporal; these only talk
 * to it.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { JOB_STATE_ATTR, PEER_ATTR } from '../contracts/search-attributes';
import { jobWorkflowId, type PeerJobInput } from '../contracts/job-input';
import { decisionLetter, parseDecision } from '../contracts/job-resolution';
import type { JobStatus } from '../contracts/job-status';
import { MAX_JOB_DIRECTIVE_BYTES, gateText } from '../contracts/text-gate';
import { checkDirective, formatReport } from '../directive';
import { formatDuration, parseDuration } from '../config/duration';
import { describeFailure } from '../client/send';
import { workflowUrl } from '../temporal/connection';
import { completeSignal, resolveUpdate, statusQuery } from '../workflows/definitions';
import type { ClientContext } from './context';
import { EXIT, UsageError } from './exit';
import { gatedFile, RefusedInput } from './input-checks';
import { workloadOf } from './send-command';

/** A client on the controller's task queue, and where lines go. */
export type JobContext = ClientContext;

/** A job checked and ready to start: everything `job start` checks before it connects. */
export interface PreparedJob {
  peer: string;
  workflowId: string;
  input: PeerJobInput;
  title: string;
  budgetMs: number | undefined;
}

/**
 * Reads the directive (bytes, through the input gate), checks its parts, the budget and the
 * workload: a PreparedJob, or the exit code of a refusal already printed (2), or a UsageError.
 * Nothing here needs Temporal.
 */
export async function prepareJobStart(
  peer: string,
  file: string,
  opts: { budget?: string; force?: boolean; slug?: string; workload?: string; requestedBy: string },
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<PreparedJob | number> {
  const directive = await gatedFile(file, { maxBytes: MAX_JOB_DIRECTIVE_BYTES });
  const report = checkDirective(directive);
  if (!report.ok && !opts.force) {
    err(`${file}: the directive is incomplete; the job was not started (use --force to send it anyway):`);
    err(formatReport(report).replace(/^/gm, '  '));
    return EXIT.usage;
  }
  let budgetMs: number | undefined;
  try {
    budgetMs = opts.budget ? parseDuration(opts.budget) : (report.budget.wallClockMs ?? undefined);
  } catch (e) {
    throw new UsageError(`--budget: ${(e as Error).message}`);
  }
  const workflowId = jobWorkflowId(peer, opts.slug ?? report.slug);
  const workload = workloadOf(opts.workload);
  const input: PeerJobInput = { peer, directive, budgetMs, requestedBy: opts.requestedBy, workload };
  return { peer, workflowId, input, title: report.title ?? report.slug, budgetMs };
}

export async function jobStart(ctx: JobContext, job: PreparedJob, opts: { json?: boolean }): Promise<number> {
  const { peer, workflowId, input, budgetMs } = job;
  try {
    await ctx.client.workflow.start('peerJob', {
      workflowId,
      taskQueue: ctx.taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: PEER_ATTR, value: peer }],
      staticSummary: `job on ${peer}: ${job.title}`,
    });
  } catch (e) {
    const f = describeFailure(e);
    if (/already (started|running)/i.test(f.message)) {
      throw new UsageError(`a job ${workflowId} is already running; pick another --slug or finish that one`);
    }
    throw new Error(`the job ${workflowId} did not start: ${f.message}`, { cause: e });
  }
  const url = workflowUrl(ctx.settings, workflowId);
  if (opts.json) {
    ctx.out(JSON.stringify({ ok: true, jobId: workflowId, url, budgetMs: budgetMs ?? null }, null, 2));
  } else {
    ctx.out(`started ${workflowId}${budgetMs ? ` (budget ${formatDuration(budgetMs)})` : ''}`);
    ctx.out(`  ${url}`);
    ctx.out(`  follow it: peer-comms job show ${workflowId}`);
  }
  return EXIT.ok;
}

export async function jobList(ctx: JobContext, opts: { awaiting?: boolean; json?: boolean }): Promise<number> {
  const query = `WorkflowType = 'peerJob'${opts.awaiting ? ` AND JobState = 'awaiting-resolution'` : ''}`;
  const rows: { jobId: string; status: string; state: string; started: string }[] = [];
  for await (const wf of ctx.client.workflow.list({ query })) {
    const state = wf.typedSearchAttributes.get(JOB_STATE_ATTR) ?? '';
    rows.push({ jobId: wf.workflowId, status: wf.status.name, state, started: wf.startTime.toISOString() });
    if (rows.length >= 200) break;
  }
  if (opts.json) {
    ctx.out(JSON.stringify(rows, null, 2));
  } else if (rows.length === 0) {
    ctx.out(opts.awaiting ? 'no job is awaiting a resolution' : 'no jobs');
  } else {
    for (const r of rows)
      ctx.out(`${r.jobId.padEnd(44)} ${(r.state || r.status.toLowerCase()).padEnd(20)} ${r.started}`);
  }
  return EXIT.ok;
}

export async function jobShow(ctx: JobContext, jobId: string, opts: { json?: boolean }): Promise<number> {
  const handle = ctx.client.workflow.getHandle(jobId);
  let status: JobStatus;
  try {
    status = await handle.query(statusQuery);
  } catch (e) {
    // A query needs a worker; without one, say what the server knows.
    const d = await handle.describe();
    const state = d.typedSearchAttributes.get(JOB_STATE_ATTR) ?? d.status.name.toLowerCase();
    const why = describeFailure(e).message;
    if (opts.json) {
      ctx.out(JSON.stringify({ jobId, state, workflowStatus: d.status.name, queryError: why }, null, 2));
    } else {
      ctx.out(`${jobId}: ${state} (workflow ${d.status.name.toLowerCase()})`);
      ctx.out(`  details need a running worker (peer-comms worker on task queue "${d.taskQueue}"): ${why}`);
    }
    return EXIT.ok;
  }
  if (opts.json) {
    ctx.out(JSON.stringify(status, null, 2));
    return EXIT.ok;
  }
  const lines = [
    `${status.jobId} on ${status.peer}: ${status.state}${status.reason ? ` (${status.reason})` : ''}`,
    `  ${workflowUrl(ctx.settings, jobId)}`,
    `  budget: ${status.budgetMs === null ? 'none' : `${formatDuration(status.budgetMs)}, ${status.budgetLeftMs === null ? '?' : formatDuration(Math.max(0, status.budgetLeftMs))} left${status.budgetPaused ? ' (paused)' : ''}`}`,
  ];
  if (status.lastAck) lines.push(`  last ack: ${status.lastAck.outcome} (${status.lastAck.workflowId})`);
  if (status.turn) {
    const t = status.turn;
    const seen = t.source === 'screen' ? 'screen only' : t.source ? `${t.source} receipt` : 'no receipt yet';
    lines.push(
      `  turn: ${t.state}${t.words ? ` — ${t.words}` : ` (${seen})`}${t.of === 'the directive' ? '' : ` [${t.of}]`}`,
    );
    if (t.hint) lines.push(`    ${t.hint}`);
  }
  if (status.attention) lines.push(`  needs attention: ${status.attention}`);
  if (status.current) {
    lines.push(`  phone-home "${status.current.topic}" (${status.current.file ?? status.current.source}):`);
    lines.push(...status.current.text.split('\n').map((l) => `    | ${l}`));
    lines.push(`  the peer recommends: ${status.current.recommendation}`);
    lines.push(`  resolve: peer-comms job resolve ${jobId} --decision a|b|c --note "…"`);
    lines.push(`    (a) accept-and-revise   (b) rerun-with-fix   (c) halt-for-review`);
  } else if (status.reason === 'budget') {
    lines.push(`  the wall-clock budget ran out; resolve: peer-comms job resolve ${jobId} --decision a|b|c --note "…"`);
  } else if (status.reason === 'turn-failed') {
    lines.push(`  the agent's turn failed; resolve: peer-comms job resolve ${jobId} --decision a|b|c --note "…"`);
  }
  for (const r of status.resolutions) {
    lines.push(
      `  resolved (${decisionLetter(r.decision)}) ${r.decision}${r.topic ? ` "${r.topic}"` : ` ${r.reason}`}${r.turn ? ` (${r.turn})` : ''} by ${r.by ?? '?'} at ${new Date(r.at).toISOString()}${r.note ? `: ${r.note}` : ''}`,
    );
  }
  if (status.lastRejected) lines.push(`  last rejected ${status.lastRejected.signal}: ${status.lastRejected.reason}`);
  if (status.gitSync)
    lines.push(`  git sync: ${status.gitSync.ok ? 'fast-forwarded' : (status.gitSync.reason ?? 'failed')}`);
  ctx.out(lines.join('\n'));
  return EXIT.ok;
}

export async function jobResolve(
  ctx: JobContext,
  jobId: string,
  opts: { decision: string; note?: string; amend?: string; by: string; json?: boolean },
): Promise<number> {
  const decision = parseDecision(opts.decision);
  if (!decision) {
    throw new UsageError(
      `--decision must be a, b or c (accept-and-revise, rerun-with-fix, halt-for-review), not "${opts.decision}"`,
    );
  }
  // the note goes out inside the resolution message: controls and size are checked, not its start
  const note = opts.note ? gateText(opts.note, { what: '--note', embedded: true }) : undefined;
  if (note && !note.ok) throw new RefusedInput(`refused, nothing was sent: ${note.problem}`, note.hint);
  // the amended directive goes out inside the resolution message: the gate without the rules for a text's start
  const amendedDirective = opts.amend
    ? await gatedFile(opts.amend, { maxBytes: MAX_JOB_DIRECTIVE_BYTES, embedded: true })
    : undefined;
  try {
    const accepted = await ctx.client.workflow.getHandle(jobId).executeUpdate(resolveUpdate, {
      args: [{ decision, note: note?.text ?? '', amendedDirective, by: opts.by }],
    });
    if (opts.json) ctx.out(JSON.stringify({ ok: true, ...accepted }, null, 2));
    else ctx.out(`resolved ${jobId}: (${decisionLetter(decision)}) ${decision}; the peer is being told`);
    return EXIT.ok;
  } catch (e) {
    const ended = /already completed|not found/i.test(describeFailure(e).message);
    if (e instanceof WorkflowUpdateFailedError || ended) {
      const f = ended
        ? { message: `the job ${jobId} has ended (or does not exist); there is nothing to resolve` }
        : describeFailure(e instanceof WorkflowUpdateFailedError ? (e.cause ?? e) : e);
      if (opts.json) ctx.out(JSON.stringify({ ok: false, rejected: f.message }, null, 2));
      else ctx.err(`rejected: ${f.message}`);
      return EXIT.failed;
    }
    throw e;
  }
}

export async function jobComplete(
  ctx: JobContext,
  jobId: string,
  opts: { note?: string; by: string },
): Promise<number> {
  await ctx.client.workflow.getHandle(jobId).signal(completeSignal, { note: opts.note, by: opts.by });
  ctx.out(`told ${jobId} it is complete; it syncs git and ends (peer-comms job show ${jobId})`);
  return EXIT.ok;
}
