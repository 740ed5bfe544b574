/**
 * sendDirective: one send of a directive to the agent in a peer's tmux pane, as durable steps:
 * preflight → refreshCredentials? → recoverSession? → pane lock → look at the screen (wait
 * while busy) → deliver → settle → submit (C-m) → awaitAck → audit.
 * Deterministic code only; every side effect is an activity with its own timeout and retries.
 */
import {
  ApplicationFailure,
  CancellationScope,
  type ActivityOptions,
  condition,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AckResult } from '../activities/ack';
import type { DeliverResult } from '../activities/deliver';
import type { ScreenSummary } from '../activities/session';
import type { AuditRecord } from '../contracts/audit';
import type { PreflightReport } from '../contracts/preflight';
import { ErrorType } from '../contracts/errors';
import { OUTCOME_ATTR, PEER_ATTR } from '../contracts/search-attributes';
import {
  WORKLOADS,
  choosePath,
  type SendDirectiveInput,
  type SendProgress,
  type SendResult,
  type StepName,
  type StepRecord,
} from '../contracts/send';
import { LOCK_LEASE_MS, lockGrantedSignal, paneLockId, releasePane } from './pane-lock';
import { controllerRoute, isPeerName } from '../contracts/route';
import { formatRefusal, gateText } from '../contracts/text-gate';
import { CREDENTIALS, QUICK } from './activity-options';
import { failureMessage, failureType } from './failures';
import { onPeer, pickupFailure, resolveRoute, watchPickup } from './routing';

import { progressQuery } from './definitions';

export { progressQuery };

const credentials = proxyActivities<Activities>(CREDENTIALS);

/** Session restart: slow (the agent must start), heartbeating; twice at most, a restart loop helps nobody. */
const RECOVERY: ActivityOptions = {
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 2 },
};

/** Delivery: a 5,000-line text may take a while (heartbeats notice a dead worker); idempotent, so retrying is safe. */
const DELIVERY: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

/** Ack poll: long, heartbeating every poll so a dead worker is noticed in seconds. */
const ACK_POLL: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
};

/** Controller-side quick steps (the pane lock). */
const controller = proxyActivities<Activities>(QUICK);

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

/**
 * Checks the input and returns the text as it is to be delivered: the input gate
 * (src/contracts/text-gate.ts) refuses what the CLI refuses, with the same message, for starts
 * from the UI or the `temporal` CLI, and normalises line breaks (CRLF, CR → LF) once.
 */
function validate(input: SendDirectiveInput): string {
  if (!input || !isPeerName(input.peer)) {
    throw ApplicationFailure.nonRetryable(`bad peer name: ${JSON.stringify(input?.peer)}`, ErrorType.InvalidInput);
  }
  const gate = gateText(input.text);
  if (!gate.ok) throw ApplicationFailure.nonRetryable(formatRefusal(gate), ErrorType.InvalidInput);
  if (input.mode && !['auto', 'light', 'heavy'].includes(input.mode)) {
    throw ApplicationFailure.nonRetryable(`unknown mode ${input.mode}`, ErrorType.InvalidInput);
  }
  if (input.workload && !WORKLOADS.includes(input.workload)) {
    throw ApplicationFailure.nonRetryable(
      `unknown workload ${JSON.stringify(input.workload)}: use gpu, cpu or none`,
      ErrorType.InvalidInput,
    );
  }
  return gate.text;
}

export async function sendDirective(input: SendDirectiveInput): Promise<SendResult> {
  const { workflowId } = workflowInfo();
  const progress: SendProgress = { workflowId, peer: input?.peer, phase: 'starting', steps: [], warnings: [] };
  let lockGranted = false;
  // The paneLock step: waiting from the request, done when granted (its time is the wait for the pane).
  let lockRec: StepRecord | undefined;
  setHandler(progressQuery, () => progress);
  setHandler(lockGrantedSignal, () => {
    lockGranted = true;
    if (lockRec?.status === 'waiting')
      Object.assign(lockRec, { status: 'done', endedAt: Date.now(), detail: 'granted' });
  });

  // From here on the text is the normalised one (CRLF and CR as LF): that is what is delivered.
  input = { ...input, text: validate(input) };
  const path = choosePath(input.text, input.mode ?? 'auto');
  if (typeof path !== 'string') throw ApplicationFailure.nonRetryable(path.error, ErrorType.InvalidInput);
  upsertSearchAttributes([
    { key: PEER_ATTR, value: input.peer },
    { key: OUTCOME_ATTR, value: 'running' },
  ]);

  const peer = input.peer;
  const workload = input.workload ?? 'cpu';
  const baseDeliveryId = deliveryIdFor(workflowId);
  let deliveryId = baseDeliveryId;
  let route = controllerRoute(peer);
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
    lockRec = { step: 'paneLock', status: 'waiting', startedAt: Date.now() };
    progress.steps.push(lockRec);
    const lockRequested = controller.requestPaneLock.executeWithOptions(
      { summary: `ask for the pane lock ${lockId}` },
      [{ lockWorkflowId: lockId, leaseMs: LOCK_LEASE_MS }],
    );
    // Where the peer's steps run: the controller, or the peer worker's own queue.
    route = await resolveRoute(peer);
    if (route.taskQueue) progress.route = route.taskQueue;
    const quick = onPeer(route, QUICK);
    const recovery = onPeer(route, RECOVERY);
    const delivery = onPeer(route, DELIVERY);
    const ackPoll = onPeer(route, ACK_POLL);
    // Peers reboot and links drop for minutes: a step that finds the peer unreachable is tried
    // again on durable timers, with the wait shown, for the outage window.
    // (a route recorded before outage windows existed has none: such a run rides nothing out)
    const rideOutages = route.outageWindowMs !== undefined;
    const outageMs = route.outageWindowMs ?? 0;
    const rideOut = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
      let attempt = 0;
      let since: number | undefined;
      for (;;) {
        try {
          const r = await call();
          if (attempt > 0) {
            progress.waitingFor = undefined;
            progress.warnings.push(
              `${peer} was unreachable for ${seconds(Date.now() - (since ?? Date.now()))} during ${what}; went on when it came back`,
            );
          }
          return r;
        } catch (err) {
          if (!rideOutages || failureType(err) !== ErrorType.PeerUnreachable) throw err;
          since ??= Date.now();
          const waited = Date.now() - since;
          if (waited >= outageMs) {
            throw ApplicationFailure.nonRetryable(
              `${peer} stayed unreachable for ${seconds(waited)} (the outage window is ${seconds(outageMs)}, thresholds.outageWindow) during ${what}: ${failureMessage(err)}`,
              ErrorType.PeerUnreachable,
            );
          }
          attempt++;
          const pause = Math.min(30_000, 2000 * 2 ** Math.min(attempt - 1, 4), Math.max(1000, outageMs - waited));
          progress.waitingFor = `${peer} unreachable during ${what} (${failureMessage(err)}): attempt ${attempt}, next in ${seconds(pause)}, ${seconds(waited)} of ${seconds(outageMs)}`;
          await sleep(pause);
        }
      }
    };
    const report = await rideOut('preflight', () =>
      watchPickup(
        route,
        quick.preflight.executeWithOptions({ summary: `preflight ${peer}` }, [{ peer }]),
        (waiting) => {
          progress.waitingFor = waiting;
          s.status = waiting ? 'waiting' : 'running';
        },
      ),
    );
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

    // 1b. the peer's policy: GPU guard for GPU-heavy work, a rental peer's load rule for any work
    if (workload === 'gpu') {
      s = begin('gpuCheck');
      end(s, 'done', checkGpuWork(peer, report));
    }
    const rental = report.settings.rental;
    if (rental && workload !== 'none' && report.loadAverage && report.loadAverage[0] > rental.maxLoadAverage) {
      s = begin('waitLoad', 'waiting');
      let load = report.loadAverage[0];
      let waited = 0;
      while (load > rental.maxLoadAverage) {
        if (waited >= rental.maxWaitMs) {
          throw ApplicationFailure.nonRetryable(
            `${peer} is a rental peer: its load average stayed above ${rental.maxLoadAverage} (last ${load}) for ${waited >= 60_000 ? `${Math.round(waited / 60_000)} min` : `${Math.round(waited / 1000)} s`}, the most this send may wait; send later, or with --workload none if it starts no host work`,
            ErrorType.LoadTooHigh,
          );
        }
        progress.waitingFor = `${peer} is a rental peer: load average ${load} is above ${rental.maxLoadAverage}; waited ${Math.round(waited / 1000)} s of ${Math.round(rental.maxWaitMs / 1000)} s, next look in ${Math.round(rental.checkEveryMs / 1000)} s`;
        await sleep(rental.checkEveryMs);
        waited += rental.checkEveryMs;
        const r = await rideOut('the load check', () =>
          quick.readLoad.executeWithOptions({ summary: `read the load average of ${peer}` }, [{ peer }]),
        );
        load = r.load1 ?? load;
      }
      progress.waitingFor = undefined;
      end(s, 'done', `load average ${load} after ${Math.round(waited / 1000)} s`);
    }

    // 2. credentials (pushed from the controller: the token never travels through Temporal)
    const pushCredentials = async (why: string): Promise<void> => {
      s = begin('refreshCredentials');
      if (route.credentialPush === 'unavailable') {
        const expired = report.credentials.expiresAt === null || report.credentials.expiresAt <= Date.now();
        const message = `${peer} is reached through its peer worker and has no SSH settings, so the controller cannot push credentials (its token never travels through Temporal): add host, user and privateKey to push over SSH, or log in on the peer (claude /login)`;
        if (expired || why === 'oauth')
          throw ApplicationFailure.nonRetryable(message, ErrorType.CredentialsPushUnavailable);
        progress.warnings.push(`${peer}: token ${why}; ${message}`);
        end(s, 'skipped', 'no way to push: a worker peer without SSH settings');
        return;
      }
      const r = await credentials.refreshCredentials.executeWithOptions({ summary: `push credentials to ${peer}` }, [
        { peer },
      ]);
      credentialsAction = r.action;
      end(s, 'done', `${r.action}: ${r.reason}`);
    };
    if (report.credentials.refreshDue) {
      await pushCredentials('expires within the refresh window');
    } else {
      skip('refreshCredentials', 'token valid beyond the refresh window');
    }

    // 3. session
    if (!report.session.alive) {
      s = begin('recoverSession');
      const r = await rideOut('session recovery', () =>
        recovery.recoverSession.executeWithOptions({ summary: `restart the agent's session on ${peer}` }, [{ peer }]),
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
    if (lockRec.status === 'waiting') end(lockRec, 'done', 'granted');

    // 5–8 run again (with a fresh delivery id) when the agent's turn of the text fails in a way a
    // recovery can fix: a 401 (fresh credentials, restart keeping the conversation), a rate limit
    // (a durable wait until it resets), an overloaded API (backoff). Each at most a bounded number of times.
    let authRestarted = false;
    let redeliveries = 0;
    let overloadedTries = 0;
    let rateLimitWaitedMs = 0;
    /** After a restart or a failed turn, the error left on screen is history, not the agent's state. */
    let staleErrorOk = false;
    const restartAfter401 = async (evidence: string): Promise<void> => {
      authRestarted = true;
      progress.warnings.push(
        `${peer}: the agent showed an OAuth 401 ("${evidence}"): credentials pushed, agent restarted`,
      );
      await pushCredentials('oauth');
      const r = begin('restartAgent');
      const res = await recovery.recoverSession.executeWithOptions(
        { summary: `restart the agent on ${peer} so it reads the fresh credentials` },
        [{ peer, restart: true, continueConversation: true }],
      );
      recovered = true;
      staleErrorOk = true;
      end(r, 'done', `${res.method} restart, agent ready after ${res.waitedMs} ms`);
    };
    /** What to do when the turn of the delivered text failed: recover (then deliver again) or fail with the agent's words. */
    const recoverTurn = async (failure: TurnFailure): Promise<void> => {
      const { agentError, words } = failure;
      if (agentError === 'authentication_failed') {
        if (authRestarted) {
          throw ApplicationFailure.nonRetryable(
            `${peer}: the API still refuses the agent's token with a 401 ("${words}") after fresh credentials and a restart: the controller's own token is refused too. Log in again on the controller (claude /login), then send again`,
            ErrorType.AgentError,
            failure,
          );
        }
        await restartAfter401(words);
        return;
      }
      if (agentError === 'rate_limit') {
        const limit = report.settings.rateLimitWaitMs ?? 2 * 3_600_000;
        const waitMs = rateLimitPause(failure.resetAt, Date.now(), report.settings.rateLimitPauseMs ?? 5 * 60_000);
        if (rateLimitWaitedMs + waitMs > limit) {
          throw ApplicationFailure.nonRetryable(
            `${peer}: the agent's account is rate-limited ("${words}"); waited ${Math.round(rateLimitWaitedMs / 60_000)} min, the most a send waits is ${Math.round(limit / 60_000)} min. The text arrived but was not worked on: send it again after the limit resets`,
            ErrorType.AgentError,
            failure,
          );
        }
        const w = begin('waitRateLimit', 'waiting');
        progress.waitingFor = `${peer}: rate limit ("${words}"); delivering again at ${new Date(Date.now() + waitMs).toISOString()}`;
        await sleep(waitMs);
        rateLimitWaitedMs += waitMs;
        progress.waitingFor = undefined;
        end(w, 'done', `waited ${Math.round(waitMs / 1000)} s for the rate limit`);
        return;
      }
      if (agentError === 'overloaded' || agentError === 'server_error') {
        const tries = report.settings.overloadedRetries ?? 3;
        if (overloadedTries >= tries) {
          throw ApplicationFailure.nonRetryable(
            `${peer}: the agent's turn failed with ${agentError} ("${words}") ${overloadedTries + 1} times; the text arrived each time. Send it again later`,
            ErrorType.AgentError,
            failure,
          );
        }
        const pause = (report.settings.overloadedBackoffMs ?? 30_000) * 2 ** overloadedTries++;
        const w = begin('retryTurn', 'waiting');
        progress.waitingFor = `${peer}: the API answered ${agentError}; delivering again in ${Math.round(pause / 1000)} s (try ${overloadedTries} of ${tries})`;
        await sleep(pause);
        progress.waitingFor = undefined;
        end(w, 'done', `${agentError}: waited ${Math.round(pause / 1000)} s`);
        return;
      }
      throw ApplicationFailure.nonRetryable(
        `${peer}: the agent ${failure.received ? 'received the text but its turn failed' : 'failed'}: ${agentError}${words ? ` ("${words}")` : ''}`,
        ErrorType.AgentError,
        failure,
      );
    };
    // assigned on every way out of the loop below (the session-loss exit only after a paste)
    let screen!: ScreenSummary;
    let d!: DeliverResult;
    let ack: AckResult;
    /** This attempt's text and where its receipt would be, once it was pasted. */
    let pastedRef: { cursor: NonNullable<ScreenSummary['cursor']>; receiptSha256: string } | undefined;
    let sessionLosses = 0;
    for (;;) {
      try {
        // 5. look before typing: never into a dialog, never over someone's text, wait while busy
        const look = () =>
          rideOut('a look at the screen', () =>
            quick.inspectScreen.executeWithOptions({ summary: `read the screen of ${peer}` }, [{ peer }]),
          );
        s = begin('inspectScreen');
        screen = await look();
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
          if (screen.state === 'error:oauth' && !authRestarted) {
            await restartAfter401(screen.evidence);
            screen = await look();
            continue;
          }
          // An earlier turn's error (a rate limit, a failed turn before a redelivery, the error the
          // agent was restarted for) above an empty box: the agent takes the next turn.
          const settled = screen.input === '' && screen.busy !== true;
          if (screen.state.startsWith('error:') && settled && (staleErrorOk || screen.state !== 'error:oauth')) break;
          if (screen.state.startsWith('error:') && !screen.busy) {
            throw ApplicationFailure.nonRetryable(
              `${peer}: the agent shows ${screen.state}: "${screen.evidence}"`,
              ErrorType.AgentError,
              { screen: screen.tail },
            );
          }
          // someone's text in the box: never paste into it (with --queue it would merge), and
          // while the agent works it may yet be sent, so wait
          if (screen.input && (input.queue || (screen.state !== 'working' && !screen.busy))) {
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
        pastedRef = undefined;
        s = begin('deliver');
        const deliveryNow = deliveryId;
        d = await rideOut('the paste', () =>
          delivery.deliver.executeWithOptions({ summary: `paste ${path} into ${peer}` }, [
            { peer, deliveryId: deliveryNow, text: input.text, path },
          ]),
        );
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
        const pasted = d;
        if (screen.cursor) pastedRef = { cursor: screen.cursor, receiptSha256: d.receiptSha256 };
        // once the text is in the input box, C-m waits for the peer to come back
        const sub = await rideOut('C-m (the text is in the input box)', () =>
          quick.submit.executeWithOptions({ summary: `C-m on ${peer}` }, [
            {
              peer,
              settleMs,
              pastedAt: pasted.pastedAt,
              cursor: screen.cursor ?? null,
              receiptSha256: pasted.receiptSha256,
              pastedNow: !pasted.alreadyDelivered,
            },
          ]),
        );
        end(
          s,
          'done',
          sub.pressed
            ? `C-m pressed after a ${settleMs} ms settle`
            : `C-m not pressed: ${sub.reason ?? `no text in the input (${sub.state})`}`,
        );

        // 8. ack: the agent's receipt of exactly this text, and a turn free of API errors
        s = begin('awaitAck');
        const ackScreen = screen;
        const ackInput = {
          peer,
          baseline: { turnsDone: ackScreen.turnsDone, promptEchoes: ackScreen.promptEchoes, state: ackScreen.state },
          cursor: ackScreen.cursor ?? null,
          receiptSha256: pasted.receiptSha256,
          queue: queued,
          timeoutMs: report.settings.ackTimeoutMs,
          confirmMs: report.settings.confirmMs,
          maxExtraEnters: report.settings.maxExtraEnters,
        };
        const acked = await rideOut('the wait for the receipt', () =>
          ackPoll.awaitAck.executeWithOptions(
            {
              summary: `wait for ${peer}'s receipt of the text`,
              startToCloseTimeout: report.settings.ackTimeoutMs + 30_000,
            },
            [ackInput],
          ),
        ).catch((err: unknown) => {
          const failure = turnFailure(err);
          if (failure) return failure;
          throw err;
        });
        if ('agentError' in acked) {
          end(
            s,
            'failed',
            `the turn failed: ${acked.agentError}${acked.received ? ' (the agent received the text)' : ''}`,
          );
          progress.turn = `failed: ${acked.agentError}`;
          await recoverTurn(acked);
          staleErrorOk = true;
          redeliveries++;
          deliveryId = `${baseDeliveryId}-r${redeliveries}`;
          continue;
        }
        ack = acked;
        extraEnters = ack.extraEnters;
        progress.turn = ack.turn;
        end(
          s,
          'done',
          `${ack.outcome} (${ack.ackSource}): ${ack.evidence}${ack.extraEnters ? ` (${ack.extraEnters} extra C-m)` : ''}`,
        );
        break;
      } catch (err) {
        // The tmux session (or its server) vanished mid-send: bring it back, and deliver again
        // only when the agent's records show the text never arrived.
        if (!rideOutages || failureType(err) !== ErrorType.SessionGone || sessionLosses >= 2) throw err;
        sessionLosses++;
        for (const rec of progress.steps) {
          if (rec.status === 'running' || rec.status === 'waiting') end(rec, 'failed', failureMessage(err));
        }
        progress.warnings.push(`${peer}: ${failureMessage(err)}; the session was recovered`);
        s = begin('recoverSession');
        const r = await rideOut('session recovery', () =>
          recovery.recoverSession.executeWithOptions({ summary: `bring back the agent's session on ${peer}` }, [
            { peer },
          ]),
        );
        recovered = true;
        staleErrorOk = true;
        end(s, 'done', `${r.method}, agent ready after ${r.waitedMs} ms`);
        const ref = pastedRef;
        if (ref) {
          const t = await rideOut('reading the receipt', () =>
            quick.readTurn.executeWithOptions({ summary: `did ${peer}'s agent receive the text?` }, [{ peer, ref }]),
          );
          if (t.turn !== 'unknown') {
            ack = {
              outcome: 'unconfirmed',
              ackSource: t.source ?? 'hook',
              evidence: `the agent received the text (${t.source ?? 'receipt'}), then its tmux session died during the turn; the restarted agent may not go on with it — check with peer-comms peek ${peer}`,
              turn: 'unknown',
              extraEnters,
              polls: 0,
              elapsedMs: 0,
            };
            break;
          }
        }
        redeliveries++;
        deliveryId = `${baseDeliveryId}-s${sessionLosses}`;
      }
    }

    progress.outcome = ack.outcome;
    upsertSearchAttributes([{ key: OUTCOME_ATTR, value: ack.outcome }]);
    // The pane is free again; the bookkeeping runs side by side.
    holdsLock = false;
    await Promise.all([
      releasePane(lockId, workflowId, true),
      ...[...new Set([baseDeliveryId, deliveryId])].map((id) =>
        quick.cleanupDelivery.executeWithOptions({ summary: 'remove the delivery buffers' }, [
          { peer, deliveryId: id },
        ]),
      ),
      audit({
        outcome: ack.outcome,
        path,
        bytes: d.bytes,
        sha256: d.sha256,
        extraEnters,
        ackSource: ack.ackSource,
        receipt: ack.receipt,
        turn: ack.turn,
      }),
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
      ackSource: ack.ackSource,
      ...(ack.receipt ? { receipt: ack.receipt } : {}),
      turn: ack.turn,
      redeliveries,
      ...(screen.cursor ? { turnRef: { cursor: screen.cursor, receiptSha256: d.receiptSha256 } } : {}),
      steps: progress.steps,
      warnings: progress.warnings,
    };
  } catch (caught) {
    const err = pickupFailure(route, caught) ?? caught;
    if (lockRec?.status === 'waiting' && progress.phase !== 'paneLock') {
      end(lockRec, 'skipped', 'not reached: the send ended before its turn for the pane');
    }
    for (const rec of progress.steps) if (rec.status === 'running' || rec.status === 'waiting') end(rec, 'failed');
    progress.waitingFor = undefined;
    const message = failureMessage(err);
    progress.outcome = 'failed';
    progress.error = message;
    progress.phase = 'finished';
    await CancellationScope.nonCancellable(async () => {
      await releasePane(lockId, workflowId, holdsLock);
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

/** A duration for a person: `45 s`, `1m12s`, `10m`. */
function seconds(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} s`;
  const m = Math.floor(total / 60);
  const rest = total % 60;
  return rest === 0 ? `${m}m` : `${m}m${String(rest).padStart(2, '0')}s`;
}

/** A failed turn of the delivered text, as awaitAck reports it (AgentError details). */
interface TurnFailure {
  agentError: string;
  received: boolean;
  words: string;
  state?: string;
  /** When a rate limit resets (epoch ms), if the agent said. */
  resetAt?: number;
}

/**
 * The turn failure an AgentError from awaitAck carries, or undefined for any other error. Older
 * histories carry only the screen state (`error:oauth`): it is read as authentication_failed.
 */
function turnFailure(err: unknown): TurnFailure | undefined {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e instanceof ApplicationFailure && e.type === ErrorType.AgentError) {
      const d: unknown = e.details?.[0];
      if (!d || typeof d !== 'object') return undefined;
      const o = d as Record<string, unknown>;
      const state = typeof o.state === 'string' ? o.state : undefined;
      const agentError =
        typeof o.agentError === 'string' ? o.agentError : state === 'error:oauth' ? 'authentication_failed' : undefined;
      if (!agentError) return undefined;
      const words = typeof o.words === 'string' ? o.words : e.message;
      return {
        agentError,
        received: o.received === true,
        words,
        state,
        resetAt: resetTime(words),
      };
    }
    e = e.cause;
  }
  return undefined;
}

/** A reset time the agent names in its words (`resets 5pm`, an ISO time, epoch seconds), else undefined. */
function resetTime(words: string): number | undefined {
  const iso = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})/.exec(words);
  if (iso) {
    const t = Date.parse(iso[0]);
    if (Number.isFinite(t)) return t;
  }
  const epoch = /\breset(?:s|_at|At)?\D{0,12}(\d{10})\b/i.exec(words);
  if (epoch?.[1]) return Number(epoch[1]) * 1000;
  return undefined;
}

/** How long to wait out a rate limit: until its reset (plus a minute) when the agent named one, else the configured pause. */
function rateLimitPause(resetAt: number | undefined, now: number, pauseMs: number): number {
  if (resetAt === undefined || resetAt <= now) return pauseMs;
  return resetAt - now + 60_000;
}

/** GPU-heavy work: refused while a GPU is at its abort temperature, or when nvidia-smi cannot tell. */
function checkGpuWork(peer: string, report: PreflightReport): string {
  const hot = report.gpuCheck.hot;
  if (hot.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `${peer}: GPU-heavy work refused: ${hot.map((h) => `GPU ${h.index} is at ${h.temperatureC} °C (abort at ${h.abortTempC} °C)`).join(', ')}. Let it cool (nvidia-smi on the peer), then send again`,
      ErrorType.GpuTooHot,
      { gpus: report.gpus },
    );
  }
  if (report.gpuProblem || !report.gpus || report.gpus.length === 0) {
    throw ApplicationFailure.nonRetryable(
      `${peer}: GPU-heavy work refused: the GPU state cannot be read (${report.gpuProblem ?? 'no nvidia-smi on the peer'}); fix nvidia-smi on the peer, or send with --workload cpu if the work needs no GPU`,
      ErrorType.GpuStateUnknown,
    );
  }
  return report.gpus
    .map((g) => `GPU ${g.index} ${g.temperatureC ?? '?'} °C, ${g.powerDrawW ?? '?'}/${g.powerLimitW ?? '?'} W`)
    .join('; ');
}
