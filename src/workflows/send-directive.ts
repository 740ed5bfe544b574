/**
 * sendDirective: one send of a directive to the agent in a peer's tmux pane, as durable steps:
 * preflight → refreshCredentials? → recoverSession? → pane lock → look at the screen (wait
 * while busy) → deliver → settle → submit (C-m) → awaitAck → audit.
 * Deterministic code only; every side effect is an activity with its own timeout and retries.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  TimeoutFailure,
  condition,
  defineQuery,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AuditRecord } from '../contracts/audit';
import { ErrorType } from '../contracts/errors';
import { OUTCOME_ATTR, PEER_ATTR } from '../contracts/search-attributes';
import {
  choosePath,
  type SendDirectiveInput,
  type SendProgress,
  type SendResult,
  type StepName,
  type StepRecord,
} from '../contracts/send';
import { LOCK_LEASE_MS, lockGrantedSignal, paneLockId, releaseSignal } from './pane-lock';

export const progressQuery = defineQuery<SendProgress>('progress');

/** Quick shell steps: one round trip each; retry a flaky link a few times, fast, then give up readably. */
const quick = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 4 },
});

/** Credentials: a few attempts; a problem a person must fix is non-retryable anyway. */
const credentials = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** Session restart: slow (the agent must start), heartbeating; twice at most, a restart loop helps nobody. */
const recovery = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 2 },
});

/** Delivery: a 5,000-line text may take a while (heartbeats notice a dead worker); idempotent, so retrying is safe. */
const delivery = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/** Ack poll: long, heartbeating every poll so a dead worker is noticed in seconds. */
const ackPoll = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});

/** Audit: local file append; retry generously, it must not be lost. */
const auditing = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 10 },
});

/** FNV-1a, base36: a short stable id from the workflow id (no crypto in workflow code). */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

export function deliveryIdFor(workflowId: string): string {
  return `${workflowId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(-48)}-${shortHash(workflowId)}`;
}

function validate(input: SendDirectiveInput): void {
  if (!input || typeof input.peer !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(input.peer)) {
    throw ApplicationFailure.nonRetryable(`bad peer name: ${JSON.stringify(input?.peer)}`, ErrorType.InvalidInput);
  }
  if (typeof input.text !== 'string' || input.text.trim() === '') {
    throw ApplicationFailure.nonRetryable('the directive text is empty', ErrorType.InvalidInput);
  }
  if (input.text.includes('\0')) {
    throw ApplicationFailure.nonRetryable('the directive text contains a NUL byte', ErrorType.InvalidInput);
  }
  if (input.mode && !['auto', 'light', 'heavy'].includes(input.mode)) {
    throw ApplicationFailure.nonRetryable(`unknown mode ${input.mode}`, ErrorType.InvalidInput);
  }
}

export async function sendDirective(input: SendDirectiveInput): Promise<SendResult> {
  const { workflowId } = workflowInfo();
  const progress: SendProgress = { workflowId, peer: input?.peer, phase: 'starting', steps: [], warnings: [] };
  let lockGranted = false;
  setHandler(progressQuery, () => progress);
  setHandler(lockGrantedSignal, () => {
    lockGranted = true;
  });

  validate(input);
  const path = choosePath(input.text, input.mode ?? 'auto');
  if (typeof path !== 'string') throw ApplicationFailure.nonRetryable(path.error, ErrorType.InvalidInput);
  upsertSearchAttributes([
    { key: PEER_ATTR, value: input.peer },
    { key: OUTCOME_ATTR, value: 'running' },
  ]);

  const peer = input.peer;
  const deliveryId = deliveryIdFor(workflowId);
  let current: StepRecord | undefined;
  const begin = (step: StepName, status: StepRecord['status'] = 'running'): StepRecord => {
    current = { step, status, startedAt: Date.now() };
    progress.steps.push(current);
    progress.phase = step;
    return current;
  };
  const end = (rec: StepRecord, status: StepRecord['status'], detail?: string): void => {
    rec.status = status;
    rec.endedAt = Date.now();
    if (detail !== undefined) rec.detail = detail;
  };
  const skip = (step: StepName, detail: string): void => {
    const now = Date.now();
    progress.steps.push({ step, status: 'skipped', startedAt: now, endedAt: now, detail });
  };

  let lockId: string | undefined;
  let holdsLock = false;
  let credentialsAction: 'pushed' | 'skipped' | undefined;
  let recovered = false;
  let extraEnters = 0;
  let delivered: { bytes: number; sha256: string } | undefined;

  const audit = async (record: Omit<AuditRecord, 'time' | 'peer' | 'workflowId' | 'steps'>): Promise<void> => {
    const s = begin('audit');
    await auditing.audit.executeWithOptions({ summary: `audit: ${record.outcome}` }, [
      {
        time: new Date().toISOString(),
        peer,
        workflowId,
        runId: workflowInfo().runId,
        requestedBy: input.requestedBy,
        credentials: credentialsAction,
        recovered,
        ...record,
        steps: progress.steps
          .filter((x) => x.step !== 'audit')
          .map((x) => ({
            step: x.step,
            status: x.status,
            ms: x.endedAt !== undefined ? x.endedAt - x.startedAt : undefined,
          })),
      },
    ]);
    end(s, 'done');
  };

  try {
    // 1. preflight, and meanwhile ask for the pane lock (one send at a time per pane)
    lockId = paneLockId(peer);
    let s = begin('preflight');
    const lockRec: StepRecord = { step: 'paneLock', status: 'waiting', startedAt: Date.now() };
    progress.steps.push(lockRec);
    const lockRequested = quick.requestPaneLock.executeWithOptions({ summary: `ask for the pane lock ${lockId}` }, [
      { lockWorkflowId: lockId, leaseMs: LOCK_LEASE_MS },
    ]);
    const report = await quick.preflight.executeWithOptions({ summary: `preflight ${peer}` }, [{ peer }]);
    progress.warnings.push(...report.warnings);
    end(
      s,
      'done',
      `${report.hostname}: session ${report.session.alive ? 'alive' : 'gone'}, token ${
        report.credentials.expiresAt === null
          ? 'unknown'
          : `expires ${new Date(report.credentials.expiresAt).toISOString()}`
      }${report.disk ? `, disk ${report.disk.usePercent}%` : ''}${report.loadAverage ? `, load ${report.loadAverage[0]}` : ''}`,
    );
    if (report.session.tmuxMissing) {
      throw ApplicationFailure.nonRetryable(
        `${peer}: tmux is not installed on the peer`,
        ErrorType.SessionRecoveryFailed,
      );
    }

    // 2. credentials
    if (report.credentials.refreshDue) {
      s = begin('refreshCredentials');
      const r = await credentials.refreshCredentials.executeWithOptions({ summary: `push credentials to ${peer}` }, [
        { peer },
      ]);
      credentialsAction = r.action;
      end(s, 'done', `${r.action}: ${r.reason}`);
    } else {
      skip('refreshCredentials', 'token valid beyond the refresh window');
    }

    // 3. session
    if (!report.session.alive) {
      s = begin('recoverSession');
      const r = await recovery.recoverSession.executeWithOptions(
        { summary: `restart the agent's session on ${peer}` },
        [{ peer }],
      );
      recovered = r.method !== 'already-alive';
      end(s, 'done', `${r.method}, agent ready after ${r.waitedMs} ms`);
    } else {
      skip('recoverSession', 'session alive');
    }

    // 4. wait for the pane lock
    progress.phase = 'paneLock';
    await lockRequested;
    if (!lockGranted) {
      progress.waitingFor = `another send to ${peer} holds the pane (lock ${lockId})`;
    }
    const lockWaitMs = report.settings.busyWaitMs + 30 * 60_000;
    if (!(await condition(() => lockGranted, lockWaitMs))) {
      throw ApplicationFailure.nonRetryable(
        `${peer}: the pane lock ${lockId} was not granted within ${Math.round(lockWaitMs / 60_000)} min; another send holds it (see that workflow in the UI) or no worker runs the lock workflow`,
        ErrorType.LockTimeout,
      );
    }
    holdsLock = true;
    progress.waitingFor = undefined;
    end(lockRec, 'done');

    // 5. look before typing: never into a dialog, never over someone's text, wait while busy
    const look = () => quick.inspectScreen.executeWithOptions({ summary: `read the screen of ${peer}` }, [{ peer }]);
    s = begin('inspectScreen');
    let screen = await look();
    end(s, 'done', `${screen.state}${screen.leftCopyMode ? ' (left copy mode)' : ''}`);
    let waitRec: StepRecord | undefined;
    let waitedBusy = 0;
    let unknownLooks = 0;
    for (;;) {
      if (screen.state.startsWith('dialog:')) {
        throw ApplicationFailure.nonRetryable(
          `${peer}: the agent shows a ${screen.state.slice(7)} dialog: "${screen.evidence}". Nothing was typed. Answer it on the peer (tmux attach -t ${report.session.name}), then send again`,
          ErrorType.DialogOnScreen,
          { screen: screen.tail },
        );
      }
      if (screen.state.startsWith('error:')) {
        throw ApplicationFailure.nonRetryable(
          `${peer}: the agent shows ${screen.state}: "${screen.evidence}"`,
          ErrorType.AgentError,
          { screen: screen.tail },
        );
      }
      if (screen.input && screen.state !== 'working') {
        throw ApplicationFailure.nonRetryable(
          `${peer}: the agent's input box already holds text ("${screen.input.slice(0, 80)}"); clear it on the peer so the two do not merge, then send again`,
          ErrorType.InputOccupied,
        );
      }
      if (screen.state === 'idle' || (screen.state === 'working' && input.queue)) break;
      if (screen.state === 'unknown') {
        if (++unknownLooks > 20) {
          throw ApplicationFailure.nonRetryable(
            `${peer}: the pane ${report.session.name} does not show an agent's screen; last lines:\n${screen.tail}`,
            ErrorType.UnknownScreen,
          );
        }
      } else if (waitedBusy >= report.settings.busyWaitMs) {
        throw ApplicationFailure.nonRetryable(
          `${peer}: the agent stayed busy for ${Math.round(waitedBusy / 1000)} s (limit ${Math.round(report.settings.busyWaitMs / 1000)} s); send with --queue to queue behind its work`,
          ErrorType.BusyTimeout,
        );
      }
      waitRec ??= begin('waitIdle', 'waiting');
      const pause = Math.min(15_000, 1000 * 2 ** Math.min(4, Math.floor(waitedBusy / 10_000)));
      progress.waitingFor = `agent ${screen.state === 'working' ? 'busy' : 'not ready'} (${screen.evidence || screen.state}); waited ${Math.round(waitedBusy / 1000)} s of ${Math.round(report.settings.busyWaitMs / 1000)} s`;
      await sleep(pause);
      waitedBusy += pause;
      screen = await look();
    }
    progress.waitingFor = undefined;
    if (waitRec) end(waitRec, 'done', `agent ${screen.state} after ${Math.round(waitedBusy / 1000)} s`);
    const queued = screen.state === 'working';

    // 6. deliver
    s = begin('deliver');
    const d = await delivery.deliver.executeWithOptions({ summary: `paste ${path} into ${peer}` }, [
      { peer, deliveryId, text: input.text, path },
    ]);
    delivered = { bytes: d.bytes, sha256: d.sha256 };
    end(
      s,
      'done',
      `${d.path} path, ${d.bytes} bytes${d.alreadyDelivered ? ' (already pasted by an earlier attempt)' : ''}`,
    );

    // 7. C-m as its own step, after the settle delay (slept inside the activity: workflow timers
    // are coarse, about a second on a dev server, and this pause is a few hundred ms)
    s = begin('submit');
    const settleMs = path === 'heavy' ? report.settings.settleMs : report.settings.settleTypedMs;
    const sub = await quick.submit.executeWithOptions({ summary: `C-m on ${peer}` }, [
      { peer, settleMs, pastedAt: d.pastedAt },
    ]);
    end(
      s,
      'done',
      sub.pressed
        ? `C-m pressed after a ${settleMs} ms settle`
        : `no text in the input (${sub.state}): already submitted`,
    );

    // 8. ack
    s = begin('awaitAck');
    const ack = await ackPoll.awaitAck.executeWithOptions(
      {
        summary: `wait for ${peer} to start working`,
        startToCloseTimeout: report.settings.ackTimeoutMs + 30_000,
      },
      [
        {
          peer,
          baseline: { turnsDone: screen.turnsDone, promptEchoes: screen.promptEchoes },
          queue: queued,
          timeoutMs: report.settings.ackTimeoutMs,
          maxExtraEnters: report.settings.maxExtraEnters,
        },
      ],
    );
    extraEnters = ack.extraEnters;
    end(s, 'done', `${ack.outcome}: ${ack.evidence}${ack.extraEnters ? ` (${ack.extraEnters} extra C-m)` : ''}`);

    progress.outcome = ack.outcome;
    upsertSearchAttributes([{ key: OUTCOME_ATTR, value: ack.outcome }]);
    // The pane is free again; the bookkeeping runs side by side.
    holdsLock = false;
    await Promise.all([
      releaseLock(lockId, true, workflowId),
      quick.cleanupDelivery.executeWithOptions({ summary: 'remove the delivery buffers' }, [{ peer, deliveryId }]),
      audit({ outcome: ack.outcome, path, bytes: d.bytes, sha256: d.sha256, extraEnters }),
    ]);
    progress.phase = 'finished';
    return {
      workflowId,
      peer,
      outcome: ack.outcome,
      path,
      bytes: d.bytes,
      sha256: d.sha256,
      extraEnters,
      ackEvidence: ack.evidence,
      steps: progress.steps,
      warnings: progress.warnings,
    };
  } catch (err) {
    for (const rec of progress.steps) if (rec.status === 'running' || rec.status === 'waiting') end(rec, 'failed');
    const message = failureMessage(err);
    progress.outcome = 'failed';
    progress.error = message;
    progress.phase = 'finished';
    await CancellationScope.nonCancellable(async () => {
      await releaseLock(lockId, holdsLock, workflowId);
      upsertSearchAttributes([{ key: OUTCOME_ATTR, value: 'failed' }]);
      try {
        await audit({
          outcome: 'failed',
          path,
          bytes: delivered?.bytes,
          sha256: delivered?.sha256,
          extraEnters,
          error: { type: failureType(err), message },
        });
      } catch (auditErr) {
        log.error('could not write the audit line for a failed send', { error: String(auditErr) });
      }
    });
    throw err;
  }
}

async function releaseLock(lockId: string | undefined, holds: boolean, requester: string): Promise<void> {
  if (!lockId) return;
  try {
    // Also sent when we are still queued, so the lock forgets the request.
    await getExternalWorkflowHandle(lockId).signal(releaseSignal, { requester });
  } catch (err) {
    if (holds) log.warn('could not release the pane lock; its lease will', { lockId, error: String(err) });
  }
}

function failureType(err: unknown): string {
  let e: unknown = err;
  while (e && typeof e === 'object') {
    if ('type' in e && typeof e.type === 'string') return (e as { type: string }).type;
    if (e instanceof TimeoutFailure) return `Timeout:${e.timeoutType}`;
    if (e instanceof CancelledFailure) return 'Cancelled';
    e = (e as { cause?: unknown }).cause;
  }
  return 'Error';
}

function failureMessage(err: unknown): string {
  let e: unknown = err;
  let last = String(err);
  while (e && typeof e === 'object') {
    if ('message' in e && typeof e.message === 'string') last = (e as { message: string }).message;
    e = (e as { cause?: unknown }).cause;
  }
  return last;
}
