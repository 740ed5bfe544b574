/**
 * Mocked activities for sendDirective tests, typed as the real `Activities` so the compiler
 * checks the contract. Every call is logged (start / end / error, with the calling workflow's
 * id), each activity can be overridden per test, and requestPaneLock really signal-with-starts
 * the paneLock workflow on the test's task queue, as the controller worker does.
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Context, heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Activities } from '../../src/activities';
import type { AckResult, AwaitAckInput } from '../../src/activities/ack';
import type { DeliverInput, DeliverResult } from '../../src/activities/deliver';
import { holderStatuses } from '../../src/activities/lock-holders';
import type { RecoverResult, ScreenSummary } from '../../src/activities/session';
import type { InboxListing } from '../../src/contracts/read-peer';
import { controllerRoute } from '../../src/contracts/route';
import type { AuditRecord } from '../../src/contracts/audit';
import type { PreflightReport } from '../../src/contracts/preflight';
import { acquireSignal, releaseSignal } from '../../src/workflows/definitions';
import { paneLock } from '../../src/workflows/pane-lock';

export type ActivityName = keyof Activities;

export interface Call {
  name: ActivityName;
  /** The workflow that ran the activity. */
  workflowId: string;
  phase: 'start' | 'end' | 'error';
  input: unknown;
}

export interface ReportPatch {
  session?: Partial<PreflightReport['session']>;
  credentials?: Partial<PreflightReport['credentials']>;
  settings?: Partial<PreflightReport['settings']>;
  warnings?: string[];
  gpus?: PreflightReport['gpus'];
  gpuProblem?: string;
  gpuCheck?: PreflightReport['gpuCheck'];
  loadAverage?: PreflightReport['loadAverage'];
}

export interface MockOptions {
  client: Client;
  taskQueue: string;
  /** Changes to the default preflight report (alive session, valid token, short settle). */
  report?: ReportPatch;
  /** Idle timeout of the paneLock workflows started by requestPaneLock. */
  lockIdleMs?: number;
  overrides?: Partial<Activities>;
}

export interface MockActivities {
  activities: Activities;
  calls: Call[];
  /** Every audit record written, in order. */
  audits: AuditRecord[];
  /** Names of the activities started (optionally only by one workflow), in order. */
  started(workflowId?: string): ActivityName[];
  count(name: ActivityName, workflowId?: string): number;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The id of the workflow that runs the current activity. */
export function callerWorkflowId(): string {
  return Context.current().info.workflowExecution?.workflowId ?? '?';
}

export function preflightReport(peer: string, patch: ReportPatch = {}): PreflightReport {
  return {
    peer,
    hostname: `${peer}.test`,
    peerNow: Date.now(),
    uptimeSeconds: 3600,
    loadAverage: patch.loadAverage ?? [0.1, 0.2, 0.3],
    session: { name: 'claude', alive: true, tmuxMissing: false, ...patch.session },
    credentials: {
      path: '~/.claude/.credentials.json',
      expiresAt: Date.now() + 6 * 3600_000,
      refreshDue: false,
      ...patch.credentials,
    },
    gpus: patch.gpus ?? null,
    gpuProblem: patch.gpuProblem,
    gpuCheck: patch.gpuCheck ?? { hot: [], drift: [] },
    disk: { usePercent: 40, sizeKiB: 1_000_000, availKiB: 600_000 },
    warnings: patch.warnings ?? [],
    settings: {
      ackTimeoutMs: 20_000,
      settleMs: 10,
      settleTypedMs: 5,
      maxExtraEnters: 2,
      busyWaitMs: 60_000,
      confirmMs: 3000,
      rateLimitWaitMs: 60_000,
      rateLimitPauseMs: 1000,
      overloadedRetries: 2,
      overloadedBackoffMs: 1000,
      recovery: 'tmux',
      rental: null,
      ...patch.settings,
    },
    elapsedMs: 5,
  };
}

/** An inbox listing with nothing in it (listInbox), with `patch` applied. */
export function emptyInbox(peer: string, patch: Partial<InboxListing> = {}): InboxListing {
  return {
    peer,
    inboxDir: `~/inbox/${peer}`,
    exists: true,
    phoneHomes: [],
    done: [],
    other: [],
    resolved: [],
    resolvedTotal: 0,
    truncated: false,
    ...patch,
  };
}

export function screen(state: string, patch: Partial<ScreenSummary> = {}): ScreenSummary {
  return {
    state,
    input: '',
    queued: false,
    evidence: state === 'working' ? '✻ Thinking… (esc to interrupt)' : '❯',
    turnsDone: 1,
    promptEchoes: 1,
    tail: `── ${state} ──`,
    leftCopyMode: false,
    ...patch,
  };
}

/** A scripted sequence of screens for inspectScreen; the last one repeats. */
export function screens(...seq: ScreenSummary[]): Activities['inspectScreen'] {
  let i = 0;
  return async () => {
    const s = seq[Math.min(i, seq.length - 1)];
    i++;
    if (!s) throw new Error('screens() needs at least one screen');
    return s;
  };
}

export function deliverResult(input: DeliverInput): DeliverResult {
  return {
    path: input.path,
    bytes: Buffer.byteLength(input.text, 'utf8'),
    sha256: sha256Hex(input.text),
    receiptSha256: sha256Hex(input.text),
    alreadyDelivered: false,
    pastedAt: Date.now(),
  };
}

export function ackResult(input: AwaitAckInput): AckResult {
  return {
    outcome: input.queue ? 'queued' : 'acked',
    ackSource: input.queue ? 'screen' : 'hook',
    evidence: input.queue ? 'queued message shown' : 'received (hook); no API error for 3000 ms',
    ...(input.queue ? {} : { receipt: { source: 'hook' as const, at: new Date().toISOString(), length: 10 } }),
    turn: input.queue ? 'queued' : 'working',
    extraEnters: 0,
    polls: 2,
    elapsedMs: 150,
  };
}

/** A promise the test resolves; activities waiting on it keep heartbeating. */
export class Gate {
  private open = false;
  release(): void {
    this.open = true;
  }
  async wait(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.open) {
      if (Date.now() > deadline) throw new Error('the test never opened the gate');
      heartbeat();
      await delay(20);
    }
  }
}

export function mockActivities(opts: MockOptions): MockActivities {
  const calls: Call[] = [];
  const audits: AuditRecord[] = [];
  const o = opts.overrides ?? {};

  const logged = <A extends unknown[], R>(name: ActivityName, fn: (...args: A) => Promise<R>) => {
    return async (...args: A): Promise<R> => {
      const workflowId = callerWorkflowId();
      calls.push({ name, workflowId, phase: 'start', input: args[0] });
      try {
        const r = await fn(...args);
        calls.push({ name, workflowId, phase: 'end', input: args[0] });
        return r;
      } catch (err) {
        calls.push({ name, workflowId, phase: 'error', input: args[0] });
        throw err;
      }
    };
  };

  const activities: Activities = {
    preflight: logged('preflight', o.preflight ?? (async ({ peer }) => preflightReport(peer, opts.report))),
    refreshCredentials: logged(
      'refreshCredentials',
      o.refreshCredentials ??
        (async () => ({
          action: 'pushed' as const,
          reason: 'peer token expires within the refresh window',
          peerExpiresAtBefore: Date.now() + 60_000,
          peerExpiresAtAfter: Date.now() + 8 * 3600_000,
          controllerExpiresAt: Date.now() + 8 * 3600_000,
        })),
    ),
    recoverSession: logged(
      'recoverSession',
      o.recoverSession ?? (async (): Promise<RecoverResult> => ({ method: 'tmux', waitedMs: 1200, state: 'idle' })),
    ),
    readLoad: logged('readLoad', o.readLoad ?? (async () => ({ load1: 0.5, raw: '0.50 0.40 0.30 1/100 42' }))),
    inspectScreen: logged('inspectScreen', o.inspectScreen ?? (async () => screen('idle'))),
    deliver: logged('deliver', o.deliver ?? (async (input) => deliverResult(input))),
    submit: logged('submit', o.submit ?? (async () => ({ pressed: true, state: 'idle' }))),
    cleanupDelivery: logged('cleanupDelivery', o.cleanupDelivery ?? (async () => {})),
    awaitAck: logged('awaitAck', o.awaitAck ?? (async (input) => ackResult(input))),
    audit: logged(
      'audit',
      o.audit ??
        (async (record) => {
          audits.push(record);
        }),
    ),
    requestPaneLock: logged(
      'requestPaneLock',
      o.requestPaneLock ??
        (async ({ lockWorkflowId, leaseMs }) => {
          await opts.client.workflow.signalWithStart(paneLock, {
            workflowId: lockWorkflowId,
            taskQueue: opts.taskQueue,
            args: [{ idleMs: opts.lockIdleMs ?? 60_000 }],
            signal: acquireSignal,
            signalArgs: [{ requester: callerWorkflowId(), leaseMs }],
          });
        }),
    ),
    // Letting the pane go (a local activity at the end of a send): really signals the lock. Not
    // logged: it runs beside the audit and the buffer clean-up, in no order a test asserts.
    releasePaneLock:
      o.releasePaneLock ??
      (async ({ lockWorkflowId }) => {
        await opts.client.workflow.getHandle(lockWorkflowId).signal(releaseSignal, { requester: callerWorkflowId() });
      }),
    // The pane lock's holder checks (every few seconds while a send holds the pane): each
    // workflow's real status, read with the test's client. Not logged: they run in the lock
    // workflow, at times no test orders.
    lockHolders:
      o.lockHolders ??
      (async ({ workflowIds }) =>
        holderStatuses(workflowIds, async (id) => (await opts.client.workflow.getHandle(id).describe()).status.name)),
    // Peer jobs: an empty inbox, nothing to move, no repository configured (overridden by job tests).
    scanInbox: logged(
      'scanInbox',
      o.scanInbox ??
        (async () => ({
          inboxDir: '~/inbox/peer',
          exists: true,
          scanIntervalMs: 120_000,
          phoneHomes: [],
          unchanged: [],
          skipped: [],
        })),
    ),
    resolvePhoneHome: logged(
      'resolvePhoneHome',
      o.resolvePhoneHome ?? (async ({ topic }) => ({ moved: false, from: topic, reason: 'no such file on the peer' })),
    ),
    gitSync: logged('gitSync', o.gitSync ?? (async () => ({ ok: false, skipped: true, reason: 'not configured' }))),
    // Fleet health: no peers configured (overridden by the fleet tests).
    listPeers: logged('listPeers', o.listPeers ?? (async () => [])),
    // Routing: every peer is the controller's (overridden by the routing tests).
    routePeer: logged('routePeer', o.routePeer ?? (async ({ peer }) => controllerRoute(peer))),
    queuePollers: logged('queuePollers', o.queuePollers ?? (async ({ taskQueue }) => ({ taskQueue, pollers: [] }))),
    // Reading peer state (peek / inbox / log): an idle pane, an empty inbox, a repository without commits.
    peekPane: logged(
      'peekPane',
      o.peekPane ??
        (async ({ peer }) => ({
          peer,
          target: 'claude:0.0',
          lines: ['❯'],
          scrollback: false,
          state: 'idle',
          evidence: '❯',
          input: '',
          queued: false,
          readAt: Date.now(),
        })),
    ),
    listInbox: logged('listInbox', o.listInbox ?? (async ({ peer }) => emptyInbox(peer, { exists: false }))),
    recentCommits: logged(
      'recentCommits',
      o.recentCommits ?? (async ({ peer }) => ({ peer, workdir: '~/', git: null, commits: [], problem: 'not a repo' })),
    ),
    readTurn: logged(
      'readTurn',
      o.readTurn ?? (async ({ ref }) => ({ turn: 'working' as const, source: 'hook' as const, cursor: ref.cursor })),
    ),
    typeCommand: logged('typeCommand', o.typeCommand ?? (async () => ({ typed: true, state: 'idle' }))),
    submitCommand: logged(
      'submitCommand',
      o.submitCommand ??
        (async () => ({ state: 'idle', evidence: '❯', tail: '✻ Conversation compacted', pressed: true })),
    ),
    installAgentSettings: logged(
      'installAgentSettings',
      o.installAgentSettings ??
        (async () => ({
          settings: '/home/u/.local/state/peer-comms/agent/claude.settings.json',
          events: '/home/u/.local/state/peer-comms/agent/claude.events.jsonl',
          transcriptDir: '/home/u/.claude/projects/-home-u-work',
        })),
    ),
    // Notifications: no notifier configured (the notify tests override both). Not logged: a
    // local activity at each job event, and no test of another step orders it.
    notifyTargets: o.notifyTargets ?? (async () => []),
    notify: logged('notify', o.notify ?? (async () => 'delivered')),
  };

  const started = (workflowId?: string): ActivityName[] =>
    calls
      .filter((c) => c.phase === 'start' && (workflowId === undefined || c.workflowId === workflowId))
      .map((c) => c.name);
  return {
    activities,
    calls,
    audits,
    started,
    count: (name, workflowId) => started(workflowId).filter((n) => n === name).length,
  };
}
