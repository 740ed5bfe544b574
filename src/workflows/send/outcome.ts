/**
 * The end of a send: the outcome shown and searchable, the pane let go, the delivery buffers
 * removed, and one audit line; for a failure too (with the pane let go even when cancelled).
 */
import { CancellationScope, isCancellation, log, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { AckResult } from '../../contracts/ack';
import type { AuditRecord } from '../../contracts/audit';
import { controllerRoute } from '../../contracts/route';
import { OUTCOME_ATTR } from '../../contracts/search-attributes';
import type { SendResult } from '../../contracts/send';
import { failureMessage, failureType } from '../failures';
import { tellPeople } from '../notify';
import { pickupFailure } from '../routing';
import { auditing, localAuditing } from './options';
import { letGoOfPane } from './pane';
import type { PeerSide } from './peer';
import type { Send } from './state';

export async function outcome(send: Send, at: PeerSide, ack: AckResult): Promise<SendResult> {
  const { peer, path, state, workflowId } = send;
  // assigned on every way out of the attempts (the session-loss exit only after a paste)
  const d = state.pasted!;
  const screen = state.screen!;
  state.progress.outcome = ack.outcome;
  upsertSearchAttributes([{ key: OUTCOME_ATTR, value: ack.outcome }]);
  // The pane is free again; the bookkeeping runs side by side.
  state.holdsLock = false;
  const { extraEnters } = state;
  await Promise.all([
    letGoOfPane(send, true),
    ...state
      .deliveryIds()
      .filter((id) => id !== ack.buffersRemoved) // removed by the ack step already
      .map((id) =>
        at.quick.cleanupDelivery.executeWithOptions({ summary: 'remove the delivery buffers' }, [
          { peer, deliveryId: id },
        ]),
      ),
    audit(send, {
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
  state.progress.phase = 'finished';
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
    redeliveries: state.redeliveries,
    ...(screen.cursor ? { turnRef: { cursor: screen.cursor, receiptSha256: d.receiptSha256 } } : {}),
    steps: state.progress.steps,
    warnings: state.progress.warnings,
  };
}

/** Closes the books on a failed send and returns the failure to throw (a missing peer worker, readably). */
export async function failed(send: Send, caught: unknown): Promise<unknown> {
  const { peer, path, state, workflowId } = send;
  const err = pickupFailure(state.route ?? controllerRoute(peer), caught) ?? caught;
  if (state.lockRec?.status === 'waiting' && state.progress.phase !== 'paneLock') {
    state.end(state.lockRec, 'skipped', 'not reached: the send ended before its turn for the pane');
  }
  state.failOpen();
  state.waitFor(undefined);
  const message = failureMessage(err);
  state.progress.outcome = 'failed';
  state.progress.error = message;
  state.progress.phase = 'finished';
  await CancellationScope.nonCancellable(async () => {
    await letGoOfPane(send, state.holdsLock);
    upsertSearchAttributes([{ key: OUTCOME_ATTR, value: 'failed' }]);
    try {
      await audit(send, {
        outcome: 'failed',
        path,
        bytes: state.delivered?.bytes,
        sha256: state.delivered?.sha256,
        extraEnters: state.extraEnters,
        error: { type: failureType(err), message },
      });
    } catch (auditErr) {
      log.error('could not write the audit line for a failed send', { error: String(auditErr) });
    }
    // A job's own send is the job's to tell (it ends needing attention); a cancelled send was someone's choice.
    if (!isCancellation(err) && !isJobSend(workflowId)) {
      await tellPeople(
        { event: 'failed', peer, workflowId, what: 'send', at: new Date().toISOString(), error: message },
        'failed',
      );
    }
  });
  return err;
}

/** A send a job started (`<job id>-send-<n>`, see job/send.ts). */
function isJobSend(workflowId: string): boolean {
  const parent = workflowInfo().parent?.workflowId;
  return parent !== undefined && workflowId.startsWith(`${parent}-send-`);
}

/** One audit line: the send's steps with their times, and what it did. */
async function audit(send: Send, record: Omit<AuditRecord, 'time' | 'peer' | 'workflowId' | 'steps'>): Promise<void> {
  const { state } = send;
  const rec = state.begin('audit');
  const stubs = state.lean ? localAuditing : auditing; // a local activity since LEAN_SEND_PATCH
  await stubs.audit.executeWithOptions({ summary: `audit: ${record.outcome}` }, [
    {
      time: new Date().toISOString(),
      peer: send.peer,
      workflowId: send.workflowId,
      runId: workflowInfo().runId,
      requestedBy: send.input.requestedBy,
      credentials: state.credentialsAction,
      recovered: state.recovered,
      ...record,
      steps: state.progress.steps
        .filter((x) => x.step !== 'audit')
        .map((x) => ({
          step: x.step,
          status: x.status,
          ms: x.endedAt !== undefined ? x.endedAt - x.startedAt : undefined,
        })),
    },
  ]);
  state.end(rec, 'done');
}
