/**
 * Notifications: the events a person is told about, the payload the workflows hand to the
 * controller's `notify` activity (plain JSON, no secrets: a notifier's headers and URLs are read
 * on the controller), and the words every format shares.
 */
import type { StopReason } from './job-resolution';

export const NOTIFY_EVENTS = ['awaiting-resolution', 'failed', 'done'] as const;
export type NotifyEventKind = (typeof NOTIFY_EVENTS)[number];

/** The `type` of a notifier's failure in the UI (retried; a missing variable is InvalidConfig, not retried). */
export const NOTIFICATION_FAILED = 'NotificationFailed';

/** What happened, as a workflow knows it (the activity adds the UI link). */
export interface NotifyEvent {
  event: NotifyEventKind;
  peer: string;
  /** The job's id, or the send's when a send (not a job's) failed. */
  workflowId: string;
  what: 'job' | 'send';
  /** ISO time, workflow time. */
  at: string;
  /** Awaiting resolution: why the job stopped. */
  reason?: StopReason;
  /** Awaiting resolution on a phone-home: its topic and heading, the peer's recommendation. */
  topic?: string;
  heading?: string;
  recommendation?: string;
  /** Awaiting resolution: the command line that resolves it. */
  resolveCommand?: string;
  /** Failed: what went wrong. */
  error?: string;
}

/** What a notifier sends: the event, its UI link, and a title and text for people. */
export interface Notification extends NotifyEvent {
  url: string;
  title: string;
  text: string;
}

/** The input of the `notify` activity: one notifier, one event. */
export interface NotifyInput {
  notifier: string;
  event: NotifyEvent;
}

/** The command a person runs to resolve a waiting job (what `job show` prints). */
export function resolveCommand(jobId: string): string {
  return `peer-comms job resolve ${jobId} --decision a|b|c --note "…"`;
}

const HEADING_MAX = 200;

/** A phone-home's heading: its first Markdown heading, else its first non-empty line (cut to 200 characters). */
export function phoneHomeHeading(text: string): string {
  const lines = text.split('\n').map((l) => l.trim());
  const heading = lines.find((l) => /^#{1,6}\s+\S/.test(l))?.replace(/^#{1,6}\s+/, '');
  const line = heading ?? lines.find((l) => l !== '') ?? '';
  return line.length > HEADING_MAX ? `${line.slice(0, HEADING_MAX - 1)}…` : line;
}

/** The one-line title of a notification. */
export function notificationTitle(e: NotifyEvent): string {
  if (e.event === 'awaiting-resolution') {
    const why =
      e.reason === 'phone-home'
        ? `phone-home "${e.topic ?? '?'}"`
        : e.reason === 'budget'
          ? 'budget spent'
          : 'turn failed';
    return `${e.peer}: ${e.workflowId} awaits your decision (${why})`;
  }
  if (e.event === 'failed') return `${e.peer}: the ${e.what} ${e.workflowId} failed`;
  return `${e.peer}: the job ${e.workflowId} is done`;
}

/** The text of a notification, a few lines: what happened, what to run, where to look. */
export function notificationText(e: NotifyEvent, url: string): string {
  const lines: string[] = [];
  if (e.heading) lines.push(e.heading);
  if (e.recommendation) lines.push(`The peer recommends: ${e.recommendation}`);
  if (e.error) lines.push(e.error);
  if (e.resolveCommand) lines.push(`Resolve: ${e.resolveCommand}`);
  lines.push(url);
  return lines.join('\n');
}
