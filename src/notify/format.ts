/**
 * What each kind of notifier sends for a notification: the HTTP request of a generic webhook
 * (the notification as JSON), a Slack-compatible incoming webhook (`{text, blocks}`) and ntfy
 * (the text as the body, Title/Tags/Priority headers), or the stdin of a local command (JSON).
 * Pure: the secrets (header values, URLs from the environment) are filled in by the caller.
 */
import type { Notification } from '../contracts/notify';

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A generic webhook: the whole notification as one JSON object. */
export function webhookRequest(url: string, n: Notification): HttpRequest {
  return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(n) };
}

/** The body of a Slack-compatible incoming webhook: `text` (fallback) and a few blocks. */
export function slackBody(n: Notification): { text: string; blocks: unknown[] } {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(n.title, 150) } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: cut(slackEscape(n.text.split('\n').slice(0, -1).join('\n')) || ' ', 3000) },
    },
  ];
  if (n.resolveCommand) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`${slackEscape(n.resolveCommand)}\`` } });
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${n.url}|Open in the Temporal UI>` } });
  return { text: `${n.title}\n${n.text}`, blocks };
}

export function slackRequest(url: string, n: Notification): HttpRequest {
  return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackBody(n)) };
}

/** ntfy: POST the text to <server>/<topic>; the title, tags, priority and click link as headers. */
export function ntfyRequest(server: string, topic: string, n: Notification): HttpRequest {
  const urgent = n.event === 'awaiting-resolution' || n.event === 'failed';
  return {
    url: `${server.replace(/\/+$/, '')}/${encodeURIComponent(topic)}`,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      Title: headerSafe(n.title),
      Tags: n.event === 'failed' ? 'x' : n.event === 'done' ? 'white_check_mark' : 'raising_hand',
      Priority: urgent ? 'high' : 'default',
      Click: headerSafe(n.url),
    },
    body: n.text,
  };
}

/** The stdin of a command notifier: the notification as JSON, one line. */
export function commandInput(n: Notification): string {
  return `${JSON.stringify(n)}\n`;
}

/** Slack's mrkdwn control characters, escaped as Slack documents. */
function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * A header value must be Latin-1 without control characters (fetch refuses anything else):
 * non-Latin-1 characters become "?", controls a space. (ntfy reads RFC 2047 too; plain is enough.)
 */
function headerSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return cut(s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/[^\u0020-\u00ff]/g, '?'), 250);
}
