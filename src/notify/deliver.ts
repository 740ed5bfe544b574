/**
 * Sending one notification with one notifier, on the controller: the secrets it names are read
 * from the environment here (never from a workflow's input), the HTTP kinds POST with a
 * deadline, the command kind runs its program with execFile (no shell) and the JSON on stdin.
 * Errors name the notifier and the URL's origin only (a Slack URL's path is its secret).
 */
import { execFile } from 'node:child_process';
import type { NotifierConfig } from '../config/notify-schema';
import type { Notification } from '../contracts/notify';
import { commandInput, ntfyRequest, slackRequest, webhookRequest, type HttpRequest } from './format';

/** A notification that did not go out; `retryable` false when trying again cannot help. */
export class NotifyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly configProblem = false,
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}

export interface DeliverOptions {
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
  /** Per request or command (default 15 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** Sends the notification; resolves with a short line saying where it went (no secrets). */
export async function deliver(n: NotifierConfig, notification: Notification, opts: DeliverOptions): Promise<string> {
  const who = `notifier "${n.name}" (${n.kind})`;
  if (n.kind === 'command') return runCommand(who, n.command, commandInput(notification), opts);
  const req =
    n.kind === 'ntfy'
      ? ntfyRequest(n.server, n.topic, notification)
      : (n.kind === 'slack' ? slackRequest : webhookRequest)(targetUrl(who, n, opts.env), notification);
  for (const [name, value] of Object.entries(n.headers ?? {})) {
    const v = typeof value === 'string' ? value : secret(who, value.env, `header ${name}`, opts.env);
    // fetch would refuse it with the value in its message: say which header instead, never the value
    if (!HEADER_VALUE.test(v))
      throw new NotifyError(`${who}: header ${name} has a line break or a character a header cannot hold`, false, true);
    req.headers[name] = v;
  }
  return post(who, req, opts);
}

/** What an HTTP header value may hold (no line breaks, no other controls but tab). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function targetUrl(who: string, n: { url?: string; urlEnv?: string }, env: DeliverOptions['env']): string {
  if (n.url) return n.url;
  const url = secret(who, n.urlEnv ?? '', 'url', env);
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(url).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw new NotifyError(`${who}: $${n.urlEnv} is not an http(s) URL`, false, true);
  return url;
}

function secret(who: string, name: string, what: string, env: DeliverOptions['env']): string {
  const v = env[name];
  if (v === undefined || v === '') {
    throw new NotifyError(
      `${who}: the environment variable ${name} (its ${what}) is not set where the controller worker runs; set it there and restart the worker`,
      false,
      true,
    );
  }
  return v;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(a bad URL)';
  }
}

async function post(who: string, req: HttpRequest, opts: DeliverOptions): Promise<string> {
  const where = origin(req.url);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      redirect: 'error',
      signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
    });
  } catch (err) {
    throw new NotifyError(`${who}: POST to ${where} failed: ${fetchProblem(err)}`, true);
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.ok) return `POST to ${where}: ${res.status}`;
  // A refusal that retrying cannot change (a bad token, a gone hook) stops at once; the rest is retried.
  const retryable = res.status >= 500 || [408, 425, 429].includes(res.status);
  throw new NotifyError(`${who}: POST to ${where} answered ${res.status} ${res.statusText}`.trim(), retryable);
}

/**
 * Why a request did not get an answer, in words that hold no secret: the system's error code
 * (ECONNREFUSED, ENOTFOUND, …) or the deadline. fetch's own messages can quote the URL or a
 * header's value, so they are not shown.
 */
function fetchProblem(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: unknown; name?: unknown } } | undefined;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer before the deadline (or cancelled)';
  const code = e?.cause?.code ?? e?.cause?.name;
  return typeof code === 'string' && /^[A-Za-z_]+$/.test(code) ? code : 'the request could not be made';
}

function runCommand(who: string, argv: readonly string[], stdin: string, opts: DeliverOptions): Promise<string> {
  const [program, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = execFile(
      program!,
      args,
      { timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: opts.signal, windowsHide: true, maxBuffer: 1 << 20 },
      (err, _stdout, stderr) => {
        if (!err) return resolve(`${program} exited 0`);
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        if (e.code === 'ENOENT' || e.code === 'EACCES') {
          return reject(new NotifyError(`${who}: cannot run ${program}: ${e.code}`, false, true));
        }
        const last = String(stderr).trim().split('\n').pop()?.slice(0, 300) ?? '';
        const how = e.killed ? 'was stopped (deadline)' : `exited ${String(e.code ?? '?')}`;
        reject(new NotifyError(`${who}: ${program} ${how}${last ? `: ${last}` : ''}`, true));
      },
    );
    child.stdin?.on('error', () => undefined); // a program that does not read its stdin
    child.stdin?.end(stdin);
  });
}
