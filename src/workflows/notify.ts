/**
 * Telling people: when a job awaits a decision, a send or a job fails, or (opt-in) a job is done.
 * `tellPeople` asks the controller which notifiers of the peers file want the event (a local
 * activity) and, if any do, starts a `notification` child workflow that its parent abandons: the
 * caller waits only for that start, never for the delivery, so a webhook that is down delays
 * neither a job's resolution nor its end. The child sends with each notifier on its own (one
 * failing never re-sends the others) and retries for about 20 minutes; its failures show in the
 * UI with the notifier's name. Recorded histories from before it replay unchanged (NOTIFY_PATCH).
 * Deterministic code only.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { ControllerActivities } from '../activities';
import { NOTIFICATION_FAILED, type NotifyEvent, type NotifyEventKind } from '../contracts/notify';
import { failureMessage } from './failures';

/** Workflows recorded before notifications existed emit none of these commands (patched). */
export const NOTIFY_PATCH = 'notify-events';

/** Which notifiers want an event: a lookup in the loaded peers file; a few quick tries, then none. */
const targets = proxyLocalActivities<ControllerActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200 ms', maximumAttempts: 3 },
});

/**
 * One delivery: 10 tries, backing off from 5 s to 5 min (about 20 minutes in all), so a webhook
 * that restarts or a network that blips still gets the message; a refusal that cannot change (a
 * bad token, a missing variable) is non-retryable and stops at once.
 */
const notifying = proxyActivities<ControllerActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export interface NotificationInput {
  event: NotifyEvent;
  /** The notifiers (names in the peers file) that want this event. */
  notifiers: string[];
}

export interface NotificationResult {
  delivered: string[];
}

const EVENT_WORDS: Record<NotifyEventKind, string> = {
  'awaiting-resolution': 'awaits a decision',
  failed: 'failed',
  done: 'done',
};

/** The child workflow: the event to each notifier, each on its own. Fails (visibly) when one could not be told. */
export async function notification(input: NotificationInput): Promise<NotificationResult> {
  const { event, notifiers } = input;
  const results = await Promise.allSettled(
    notifiers.map((name) =>
      notifying.notify.executeWithOptions(
        { summary: `notify ${name}: ${event.workflowId} ${EVENT_WORDS[event.event]}` },
        [{ notifier: name, event }],
      ),
    ),
  );
  const failed = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${notifiers[i]}: ${failureMessage(r.reason)}`] : [],
  );
  if (failed.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `not delivered by ${failed.length} notifier(s): ${failed.join('; ')}`,
      NOTIFICATION_FAILED,
    );
  }
  return { delivered: notifiers };
}

/**
 * Starts the notification for `event` when a notifier wants it (child id `<workflow id>-notify-<idSuffix>`).
 * Waits for the child's start only; never throws (a notification that cannot start is a warning in the log).
 */
export async function tellPeople(event: NotifyEvent, idSuffix: string): Promise<void> {
  if (!patched(NOTIFY_PATCH)) return;
  const workflowId = `${workflowInfo().workflowId}-notify-${idSuffix}`;
  try {
    const notifiers = await targets.notifyTargets.executeWithOptions({ summary: `notifiers for ${event.event}` }, [
      { event: event.event },
    ]);
    if (notifiers.length === 0) return;
    await startChild(notification, {
      workflowId,
      args: [{ event, notifiers }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `notify ${notifiers.join(', ')}: ${event.workflowId} ${EVENT_WORDS[event.event]}`,
    });
  } catch (err) {
    log.warn('the notification did not start', { workflowId, error: failureMessage(err) });
  }
}
