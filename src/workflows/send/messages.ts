/**
 * What a send (and an agent command) says to people: failure messages, warnings, what it waits
 * for, and the one-line detail of each step. Pure string building, in one place, so the
 * protocol's steps read as steps and the wording can be reviewed side by side.
 */
import type { AckResult } from '../../contracts/ack';
import type { DeliverResult } from '../../contracts/deliver';
import type { ScreenSummary } from '../../contracts/session';
import type { PreflightReport } from '../../contracts/preflight';
import { failureMessage } from '../failures';

/** A duration for a person: `45 s`, `1m12s`, `10m`. */
export function seconds(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} s`;
  const m = Math.floor(total / 60);
  const rest = total % 60;
  return rest === 0 ? `${m}m` : `${m}m${String(rest).padStart(2, '0')}s`;
}

const secs = (ms: number): number => Math.round(ms / 1000);
const mins = (ms: number): number => Math.round(ms / 60_000);

// ── input ────────────────────────────────────────────────────────────────────────────────────
export const badPeerName = (peer: unknown): string => `bad peer name: ${JSON.stringify(peer)}`;
export const unknownMode = (mode: string): string => `unknown mode ${mode}`;
export const unknownWorkload = (workload: unknown): string =>
  `unknown workload ${JSON.stringify(workload)}: use gpu, cpu or none`;

// ── peer outages ─────────────────────────────────────────────────────────────────────────────
export const cameBack = (peer: string, downMs: number, what: string): string =>
  `${peer} was unreachable for ${seconds(downMs)} during ${what}; went on when it came back`;

export const stayedUnreachable = (peer: string, waited: number, outageMs: number, what: string, err: unknown): string =>
  `${peer} stayed unreachable for ${seconds(waited)} (the outage window is ${seconds(outageMs)}, thresholds.outageWindow) during ${what}: ${failureMessage(err)}`;

export const waitingForPeer = (
  peer: string,
  what: string,
  err: unknown,
  attempt: number,
  pause: number,
  waited: number,
  outageMs: number,
): string =>
  `${peer} unreachable during ${what} (${failureMessage(err)}): attempt ${attempt}, next in ${seconds(pause)}, ${seconds(waited)} of ${seconds(outageMs)}`;

// ── preflight and policy ─────────────────────────────────────────────────────────────────────
export function preflightDetail(report: PreflightReport): string {
  const token =
    report.credentials.expiresAt === null
      ? 'unknown'
      : `expires ${new Date(report.credentials.expiresAt).toISOString()}`;
  return `${report.hostname}: session ${report.session.alive ? 'alive' : 'gone'}, token ${token}${
    report.disk ? `, disk ${report.disk.usePercent}%` : ''
  }${report.loadAverage ? `, load ${report.loadAverage[0]}` : ''}`;
}

export const tmuxMissing = (peer: string): string => `${peer}: tmux is not installed on the peer`;

export const gpuTooHot = (peer: string, hot: PreflightReport['gpuCheck']['hot']): string =>
  `${peer}: GPU-heavy work refused: ${hot.map((h) => `GPU ${h.index} is at ${h.temperatureC} °C (abort at ${h.abortTempC} °C)`).join(', ')}. Let it cool (nvidia-smi on the peer), then send again`;

export const gpuStateUnknown = (peer: string, problem: string | undefined): string =>
  `${peer}: GPU-heavy work refused: the GPU state cannot be read (${problem ?? 'no nvidia-smi on the peer'}); fix nvidia-smi on the peer, or send with --workload cpu if the work needs no GPU`;

export const gpuDetail = (gpus: NonNullable<PreflightReport['gpus']>): string =>
  gpus
    .map((g) => `GPU ${g.index} ${g.temperatureC ?? '?'} °C, ${g.powerDrawW ?? '?'}/${g.powerLimitW ?? '?'} W`)
    .join('; ');

export const loadStayedHigh = (peer: string, maxLoad: number, load: number, waited: number): string =>
  `${peer} is a rental peer: its load average stayed above ${maxLoad} (last ${load}) for ${waited >= 60_000 ? `${mins(waited)} min` : `${secs(waited)} s`}, the most this send may wait; send later, or with --workload none if it starts no host work`;

export const waitingForLoad = (
  peer: string,
  load: number,
  maxLoad: number,
  waited: number,
  maxWait: number,
  every: number,
): string =>
  `${peer} is a rental peer: load average ${load} is above ${maxLoad}; waited ${secs(waited)} s of ${secs(maxWait)} s, next look in ${secs(every)} s`;

export const loadDetail = (load: number, waited: number): string => `load average ${load} after ${secs(waited)} s`;

// ── credentials and session ──────────────────────────────────────────────────────────────────
export const cannotPushCredentials = (peer: string): string =>
  `${peer} is reached through its peer worker and has no SSH settings, so the controller cannot push credentials (its token never travels through Temporal): add host, user and privateKey to push over SSH, or log in on the peer (claude /login)`;

export const tokenWarning = (peer: string, why: string, message: string): string => `${peer}: token ${why}; ${message}`;

export const recoveredDetail = (method: string, waitedMs: number): string =>
  `${method}, agent ready after ${waitedMs} ms`;

export const sessionRecovered = (peer: string, err: unknown): string =>
  `${peer}: ${failureMessage(err)}; the session was recovered`;

export const receivedThenSessionDied = (peer: string, source: string): string =>
  `the agent received the text (${source}), then its tmux session died during the turn; the restarted agent may not go on with it — check with peer-comms peek ${peer}`;

// ── the pane lock ────────────────────────────────────────────────────────────────────────────
export const paneHeld = (peer: string, lockId: string): string =>
  `another send to ${peer} holds the pane (lock ${lockId})`;

export const lockNotGranted = (peer: string, lockId: string, waitMs: number): string =>
  `${peer}: the pane lock ${lockId} was not granted within ${mins(waitMs)} min; another send holds it (see that workflow in the UI) or no worker runs the lock workflow`;

// ── the screen before typing ─────────────────────────────────────────────────────────────────
export const dialogOnScreen = (peer: string, screen: ScreenSummary, session: string): string =>
  `${peer}: the agent shows a ${screen.state.slice(7)} dialog: "${screen.evidence}". Nothing was typed. Answer it on the peer (tmux attach -t ${session}), then send again`;

export const errorOnScreen = (peer: string, screen: ScreenSummary): string =>
  `${peer}: the agent shows ${screen.state}: "${screen.evidence}"`;

export const inputOccupied = (peer: string, input: string): string =>
  `${peer}: the agent's input box already holds text ("${input.slice(0, 80)}"); clear it on the peer so the two do not merge, then send again`;

export const unknownScreen = (peer: string, session: string, tail: string): string =>
  `${peer}: the pane ${session} does not show an agent's screen; last lines:\n${tail}`;

export const stayedBusy = (peer: string, waited: number, limit: number): string =>
  `${peer}: the agent stayed busy for ${secs(waited)} s (limit ${secs(limit)} s); send with --queue to queue behind its work`;

export const waitingForAgent = (screen: ScreenSummary, waited: number, limit: number): string =>
  `agent ${screen.state === 'working' ? 'busy' : 'not ready'} (${screen.evidence || screen.state}); waited ${secs(waited)} s of ${secs(limit)} s`;

export const idleDetail = (screen: ScreenSummary, waited: number): string =>
  `agent ${screen.state} after ${secs(waited)} s`;

// ── delivery, submit, ack ────────────────────────────────────────────────────────────────────
export const deliverDetail = (d: DeliverResult): string =>
  `${d.path} path, ${d.bytes} bytes${d.alreadyDelivered ? ' (already pasted by an earlier attempt)' : ''}`;

export const submitDetail = (sub: { pressed: boolean; reason?: string; state?: string }, settleMs: number): string =>
  sub.pressed
    ? `C-m pressed after a ${settleMs} ms settle`
    : `C-m not pressed: ${sub.reason ?? `no text in the input (${sub.state})`}`;

export const turnFailedDetail = (agentError: string, received: boolean): string =>
  `the turn failed: ${agentError}${received ? ' (the agent received the text)' : ''}`;

export const ackDetail = (ack: AckResult): string =>
  `${ack.outcome} (${ack.ackSource}): ${ack.evidence}${ack.extraEnters ? ` (${ack.extraEnters} extra C-m)` : ''}`;

// ── a failed turn ────────────────────────────────────────────────────────────────────────────
export const oauthRestarted = (peer: string, evidence: string): string =>
  `${peer}: the agent showed an OAuth 401 ("${evidence}"): credentials pushed, agent restarted`;

export const stillUnauthorised = (peer: string, words: string): string =>
  `${peer}: the API still refuses the agent's token with a 401 ("${words}") after fresh credentials and a restart: the controller's own token is refused too. Log in again on the controller (claude /login), then send again`;

export const rateLimitTooLong = (peer: string, words: string, waited: number, limit: number): string =>
  `${peer}: the agent's account is rate-limited ("${words}"); waited ${mins(waited)} min, the most a send waits is ${mins(limit)} min. The text arrived but was not worked on: send it again after the limit resets`;

export const waitingForRateLimit = (peer: string, words: string, until: number): string =>
  `${peer}: rate limit ("${words}"); delivering again at ${new Date(until).toISOString()}`;

export const overloadedTooOften = (peer: string, agentError: string, words: string, times: number): string =>
  `${peer}: the agent's turn failed with ${agentError} ("${words}") ${times} times; the text arrived each time. Send it again later`;

export const waitingForApi = (peer: string, agentError: string, pause: number, attempt: number, of: number): string =>
  `${peer}: the API answered ${agentError}; delivering again in ${secs(pause)} s (try ${attempt} of ${of})`;

export const turnFailed = (peer: string, agentError: string, words: string, received: boolean): string =>
  `${peer}: the agent ${received ? 'received the text but its turn failed' : 'failed'}: ${agentError}${words ? ` ("${words}")` : ''}`;

// ── an agent command (slash command) ─────────────────────────────────────────────────────────
export const commandLockNotGranted = (peer: string, lockId: string): string =>
  `${peer}: the pane lock ${lockId} was not granted in time`;

export const commandStayedBusy = (peer: string, waited: number): string =>
  `${peer}: the agent stayed busy for ${mins(waited)} min`;

export const waitingForBusyAgent = (evidence: string, waited: number): string =>
  `agent busy (${evidence}); waited ${secs(waited)} s`;
