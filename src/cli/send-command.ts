/** `peer-comms send <peer> <text>`: start the workflow, show each step live, exit on the ack. */
import type { Client } from '@temporalio/client';
import { describeFailure, followSend, newSendWorkflowId, startSend } from '../client/send';
import { WORKLOADS, type SendMode, type SendProgress, type SendResult, type Workload } from '../contracts/send';
import { workflowUrl, type TemporalSettings } from '../temporal/connection';
import { progressQuery } from '../workflows/definitions';
import { stderrTerm } from './progress-term';
import { ProgressPrinter } from './render';
import { EXIT, UsageError } from './exit';
import { whoAmI } from './who';

export interface SendOptions {
  fromFile?: string;
  heavy?: boolean;
  light?: boolean;
  queue?: boolean;
  json?: boolean;
}

export function modeOf(opts: SendOptions): SendMode {
  if (opts.heavy && opts.light) throw new UsageError('--heavy and --light exclude each other');
  return opts.heavy ? 'heavy' : opts.light ? 'light' : 'auto';
}

export function workloadOf(raw: string | undefined): Workload | undefined {
  if (raw === undefined) return undefined;
  if (!(WORKLOADS as readonly string[]).includes(raw)) {
    throw new UsageError(`--workload: expected gpu, cpu or none, got "${raw}"`);
  }
  return raw as Workload;
}

export interface SendRun {
  exitCode: number;
  result?: SendResult;
  error?: { type: string; message: string };
  workflowId: string;
  url: string;
}

export async function runSend(args: {
  client: Client;
  settings: TemporalSettings;
  taskQueue: string;
  peer: string;
  text: string;
  mode: SendMode;
  queue: boolean;
  workload?: Workload;
  json: boolean;
  out?: (line: string) => void;
  err?: (line: string) => void;
}): Promise<SendRun> {
  const out = args.out ?? ((l) => process.stdout.write(`${l}\n`));
  const err = args.err ?? ((l) => process.stderr.write(`${l}\n`));
  const workflowId = newSendWorkflowId(args.peer);
  const url = workflowUrl(args.settings, workflowId);
  const handle = await startSend(
    args.client,
    args.taskQueue,
    {
      peer: args.peer,
      text: args.text,
      mode: args.mode,
      queue: args.queue,
      workload: args.workload,
      requestedBy: requestedBy(),
    },
    workflowId,
  );
  // stderr itself (a terminal gets one updating status line) unless the caller passed its own writer
  const printer = new ProgressPrinter(args.json ? () => {} : args.err ? err : stderrTerm(), args.peer);
  if (!args.json) err(`send ${workflowId}\n  ${url}`);
  const noWorker = setTimeout(() => {
    if (!args.json)
      printer.line(
        `  … no step has started after 10 s: is a worker polling task queue "${args.taskQueue}"? (peer-comms worker)`,
      );
  }, 10_000);
  let progress: SendProgress | undefined;
  try {
    const result = await followSend(handle, {
      onProgress: (p) => {
        progress = p;
        clearTimeout(noWorker);
        printer.update(p);
      },
      onRetries: args.json ? undefined : (r) => printer.retries(r),
    });
    printer.finish(result.steps);
    const exitCode =
      result.outcome === 'acked' ? EXIT.ok : result.outcome === 'queued' ? EXIT.queued : EXIT.unconfirmed;
    if (args.json) {
      out(JSON.stringify({ ok: exitCode === 0, outcome: result.outcome, workflowId, url, result }, null, 2));
    } else {
      for (const w of result.warnings) err(`  ! ${w}`);
      out(outcomeLine(args.peer, result));
    }
    return { exitCode, result, workflowId, url };
  } catch (e) {
    const failure = describeFailure(e);
    try {
      progress = await handle.query(progressQuery);
    } catch {
      // the worker may be gone; the steps we saw are enough
    }
    if (progress) printer.finish(progress.steps);
    else printer.finish([]);
    const steps = progress?.steps ?? [];
    if (args.json) {
      out(JSON.stringify({ ok: false, outcome: 'failed', workflowId, url, error: failure, steps }, null, 2));
    } else {
      err(`failed [${failure.type}]: ${failure.message}`);
      err(`  history: ${url}`);
    }
    return { exitCode: EXIT.failed, error: failure, workflowId, url };
  } finally {
    clearTimeout(noWorker);
  }
}

/** The line a person reads when the send ends: what the peer did with the text. */
export function outcomeLine(peer: string, result: SendResult): string {
  if (result.outcome === 'acked') {
    const seen = result.ackSource === 'screen' ? 'seen on screen only' : `${result.ackSource} receipt`;
    return `acked: ${peer} received it and is working on it (${seen}, ${result.path} path, ${result.bytes} bytes, sha256 ${result.sha256.slice(0, 12)}…)`;
  }
  if (result.outcome === 'queued') {
    return `queued: ${peer} was busy; the text waits in its queue and runs after the current work`;
  }
  return `unconfirmed: nothing could tell whether ${peer} received the text (${result.ackEvidence}); check with \`peer-comms peek ${peer}\` before sending again`;
}

function requestedBy(): string {
  return `${whoAmI()} (cli)`;
}
