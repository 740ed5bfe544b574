/**
 * Notifications, on the controller only: `notifyTargets` says which notifiers of the peers file
 * want an event (a local activity: a job with no notifiers starts nothing more), `notify` sends
 * one notification with one notifier (src/notify/), adding the Web UI link. The notifier's
 * secrets are read from the controller worker's environment here, never carried in history. A
 * failure names the notifier (never a secret) in the UI and the worker log; the workflow retries
 * it (workflows/notify.ts) without waiting for it.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../contracts/errors';
import {
  NOTIFICATION_FAILED,
  notificationText,
  notificationTitle,
  type Notification,
  type NotifyEventKind,
  type NotifyInput,
} from '../contracts/notify';
import { deliver, NotifyError } from '../notify/deliver';
import { temporalSettings, workflowUrl } from '../temporal/connection';
import { fail, type ControllerDeps } from './context';

export interface NotifyDeps extends Pick<ControllerDeps, 'config'> {
  /** Where secrets are read (default: the worker's environment). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The Web UI link of a workflow (default: the connection's settings and `temporal.uiUrl`, see temporal/ui-link.ts). */
  uiLink?: (workflowId: string) => string;
}

export function createNotifyActivities(deps: NotifyDeps) {
  // Activities return promises; this one has nothing to wait for.
  function notifyTargets(input: { event: NotifyEventKind }): Promise<string[]> {
    return Promise.resolve(deps.config.notify.filter((n) => n.on.includes(input.event)).map((n) => n.name));
  }

  async function notify(input: NotifyInput): Promise<string> {
    const n = deps.config.notify.find((x) => x.name === input.notifier);
    if (!n) {
      throw fail(
        ErrorType.InvalidConfig,
        `notifier "${input.notifier}" is not in the peers file the controller worker loaded (restarted with another file?)`,
      );
    }
    const e = input.event;
    const link =
      deps.uiLink ?? ((id: string) => workflowUrl({ ...temporalSettings(), uiUrl: deps.config.temporal.uiUrl }, id));
    const url = link(e.workflowId);
    const notification: Notification = { ...e, url, title: notificationTitle(e), text: notificationText(e, url) };
    const ctx = Context.current();
    try {
      return await deliver(n, notification, { env: deps.env ?? process.env, signal: ctx.cancellationSignal });
    } catch (err) {
      if (!(err instanceof NotifyError)) throw err;
      ctx.log.warn(`notification not delivered: ${err.message}`, {
        notifier: n.name,
        event: e.event,
        about: e.workflowId,
        attempt: ctx.info.attempt,
      });
      throw ApplicationFailure.create({
        type: err.configProblem ? ErrorType.InvalidConfig : NOTIFICATION_FAILED,
        message: err.message,
        nonRetryable: !err.retryable,
      });
    }
  }

  return { notifyTargets, notify };
}
