/**
 * A failed turn of the delivered text, and what to do about it: a 401 (fresh credentials, a
 * restart keeping the conversation), a rate limit (a durable wait until it resets), an
 * overloaded API (backoff); each at most a bounded number of times, then the agent's words.
 */
import { ApplicationFailure, sleep } from '@temporalio/workflow';
import { ErrorType } from '../../contracts/errors';
import type { PreflightReport } from '../../contracts/preflight';
import {
  overloadedTooOften,
  rateLimitTooLong,
  stillUnauthorised,
  turnFailed,
  waitingForApi,
  waitingForRateLimit,
} from './messages';
import type { PeerSide } from './peer';
import { restartAfter401 } from './session';
import type { Send } from './state';
import { causeChain } from '../../contracts/failure-chain';

/** A failed turn of the delivered text, as awaitAck reports it (AgentError details). */
export interface TurnFailure {
  agentError: string;
  received: boolean;
  words: string;
  state?: string;
  /** When a rate limit resets (epoch ms), if the agent said. */
  resetAt?: number;
}

/** Recovers from the failed turn (the caller then delivers again) or fails with the agent's words. */
export async function recoverTurn(
  send: Send,
  at: PeerSide,
  report: PreflightReport,
  failure: TurnFailure,
): Promise<void> {
  const { peer, state } = send;
  const { agentError, words } = failure;
  if (agentError === 'authentication_failed') {
    if (state.authRestarted) {
      throw ApplicationFailure.nonRetryable(stillUnauthorised(peer, words), ErrorType.AgentError, failure);
    }
    await restartAfter401(send, at, report, words);
    return;
  }
  if (agentError === 'rate_limit') return waitOutRateLimit(send, report, failure);
  if (agentError === 'overloaded' || agentError === 'server_error') return backOff(send, report, failure);
  throw ApplicationFailure.nonRetryable(
    turnFailed(peer, agentError, words, failure.received),
    ErrorType.AgentError,
    failure,
  );
}

/** A rate limit: wait until it resets (or the configured pause), up to the send's total limit. */
async function waitOutRateLimit(send: Send, report: PreflightReport, failure: TurnFailure): Promise<void> {
  const { peer, state } = send;
  const limit = report.settings.rateLimitWaitMs ?? 2 * 3_600_000;
  const waitMs = rateLimitPause(failure.resetAt, Date.now(), report.settings.rateLimitPauseMs ?? 5 * 60_000);
  if (state.rateLimitWaitedMs + waitMs > limit) {
    throw ApplicationFailure.nonRetryable(
      rateLimitTooLong(peer, failure.words, state.rateLimitWaitedMs, limit),
      ErrorType.AgentError,
      failure,
    );
  }
  const rec = state.begin('waitRateLimit', 'waiting');
  state.waitFor(waitingForRateLimit(peer, failure.words, Date.now() + waitMs));
  await sleep(waitMs, { summary: `${peer}: rate limited, deliver again` });
  state.rateLimitWaitedMs += waitMs;
  state.waitFor(undefined);
  state.end(rec, 'done', `waited ${Math.round(waitMs / 1000)} s for the rate limit`);
}

/** An overloaded API or a server error: exponential backoff, a configured number of times. */
async function backOff(send: Send, report: PreflightReport, failure: TurnFailure): Promise<void> {
  const { peer, state } = send;
  const { agentError, words } = failure;
  const tries = report.settings.overloadedRetries ?? 3;
  if (state.overloadedTries >= tries) {
    throw ApplicationFailure.nonRetryable(
      overloadedTooOften(peer, agentError, words, state.overloadedTries + 1),
      ErrorType.AgentError,
      failure,
    );
  }
  const pause = (report.settings.overloadedBackoffMs ?? 30_000) * 2 ** state.overloadedTries++;
  const rec = state.begin('retryTurn', 'waiting');
  state.waitFor(waitingForApi(peer, agentError, pause, state.overloadedTries, tries));
  await sleep(pause, { summary: `${peer}: API ${agentError}, deliver again` });
  state.waitFor(undefined);
  state.end(rec, 'done', `${agentError}: waited ${Math.round(pause / 1000)} s`);
}

/**
 * The turn failure an AgentError from awaitAck carries, or undefined for any other error. Older
 * histories carry only the screen state (`error:oauth`): it is read as authentication_failed.
 */
export function turnFailure(err: unknown): TurnFailure | undefined {
  const e = causeChain(err, 5).find(
    (c): c is ApplicationFailure => c instanceof ApplicationFailure && c.type === ErrorType.AgentError,
  );
  const d: unknown = e?.details?.[0];
  if (!e || !d || typeof d !== 'object') return undefined;
  const o = d as Record<string, unknown>;
  const state = typeof o.state === 'string' ? o.state : undefined;
  const agentError =
    typeof o.agentError === 'string' ? o.agentError : state === 'error:oauth' ? 'authentication_failed' : undefined;
  if (!agentError) return undefined;
  const words = typeof o.words === 'string' ? o.words : e.message;
  return { agentError, received: o.received === true, words, state, resetAt: resetTime(words) };
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
