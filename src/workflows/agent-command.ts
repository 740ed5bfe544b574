/**
 * agentCommand: one slash command typed into a peer's agent, durable like a send:
 * pane lock → look (idle, empty box, no dialog; wait while busy) → type the command → C-m →
 * wait until the agent took it and is idle again → the screen after it is the outcome.
 * Slash commands fire no UserPromptSubmit hook, so the screen is the only witness here.
 */
import {
  ApplicationFailure,
  CancellationScope,
  type ActivityOptions,
  condition,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  commandShapeProblem,
  type AgentCommandInput,
  type CommandProgress,
  type CommandResult,
} from '../contracts/command';
import { ErrorType } from '../contracts/errors';
import { isPeerName } from '../contracts/route';
import { OUTCOME_ATTR, PEER_ATTR } from '../contracts/search-attributes';
import { QUICK } from './activity-options';
import { LOCK_LEASE_MS, lockGrantedSignal, paneLockId, releasePane } from './pane-lock';
import { onPeer, resolveRoute } from './routing';
import { failureMessage } from './failures';
import { badPeerName, commandLockNotGranted, commandStayedBusy, paneHeld, waitingForBusyAgent } from './send/messages';

export type { CommandProgress } from '../contracts/command';
import { commandProgressQuery } from './definitions';

export { commandProgressQuery };

/** Waiting for the command to finish: long (a /compact summarises through the API), heartbeating. */
const COMMAND_RUN: ActivityOptions = {
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
};

const BUSY_WAIT_MS = 30 * 60_000;

/** The pane lock lives on the controller's queue, wherever the peer's steps run. */
const controllerQuick = proxyActivities<Activities>(QUICK);

export async function agentCommand(input: AgentCommandInput): Promise<CommandResult> {
  const progress: CommandProgress = { peer: input?.peer, command: input?.command, phase: 'starting' };
  let granted = false;
  setHandler(commandProgressQuery, () => progress);
  setHandler(lockGrantedSignal, () => {
    granted = true;
  });
  const { peer, command } = validate(input);
  const { workflowId } = workflowInfo();
  upsertSearchAttributes([
    { key: PEER_ATTR, value: peer },
    { key: OUTCOME_ATTR, value: 'running' },
  ]);
  const lockId = paneLockId(peer);
  const started = Date.now();
  const route = await resolveRoute(peer);
  const quick = onPeer(route, QUICK);
  const running = onPeer(route, COMMAND_RUN);
  try {
    await takePane(progress, lockId, () => granted);
    await untilIdle(progress, quick);
    progress.phase = 'type';
    await quick.typeCommand.executeWithOptions({ summary: `type ${command} on ${peer}` }, [{ peer, command }]);
    progress.phase = 'awaitDone';
    const after = await running.submitCommand.executeWithOptions(
      { summary: `${command} on ${peer}: C-m, then wait for it` },
      [{ peer, command }],
    );
    progress.phase = 'finished';
    progress.outcome = 'done';
    upsertSearchAttributes([{ key: OUTCOME_ATTR, value: 'acked' }]);
    await releasePane(lockId, workflowId, true);
    return {
      workflowId,
      peer,
      command,
      outcome: 'done',
      screen: { state: after.state, evidence: after.evidence, tail: after.tail },
      elapsedMs: Date.now() - started,
    };
  } catch (err) {
    progress.outcome = 'failed';
    progress.error = failureMessage(err);
    progress.phase = 'finished';
    await CancellationScope.nonCancellable(async () => {
      upsertSearchAttributes([{ key: OUTCOME_ATTR, value: 'failed' }]);
      await releasePane(lockId, workflowId, true);
    });
    throw err;
  }
}

function validate(input: AgentCommandInput): AgentCommandInput {
  if (!input || !isPeerName(input.peer)) {
    throw ApplicationFailure.nonRetryable(badPeerName(input?.peer), ErrorType.InvalidInput);
  }
  const shape = commandShapeProblem(input.command);
  if (shape) throw ApplicationFailure.nonRetryable(shape, ErrorType.InvalidInput);
  return input;
}

/** Asks for the pane lock (on the controller's queue) and waits for the grant. */
async function takePane(progress: CommandProgress, lockId: string, granted: () => boolean): Promise<void> {
  const { peer } = progress;
  progress.phase = 'paneLock';
  await controllerQuick.requestPaneLock.executeWithOptions({ summary: `ask for the pane lock ${lockId}` }, [
    { lockWorkflowId: lockId, leaseMs: LOCK_LEASE_MS },
  ]);
  if (!granted()) progress.waitingFor = paneHeld(peer, lockId);
  if (!(await condition(granted, BUSY_WAIT_MS))) {
    throw ApplicationFailure.nonRetryable(commandLockNotGranted(peer, lockId), ErrorType.LockTimeout);
  }
  progress.waitingFor = undefined;
}

/** Looks, waiting while the agent is busy (a command never queues behind a turn). */
async function untilIdle(progress: CommandProgress, quick: ReturnType<typeof onPeer>): Promise<void> {
  const { peer } = progress;
  progress.phase = 'inspectScreen';
  let waited = 0;
  for (;;) {
    const s = await quick.inspectScreen.executeWithOptions({ summary: `read the screen of ${peer}` }, [{ peer }]);
    if (!(s.busy || s.state === 'working' || s.state === 'unknown')) break;
    if (waited >= BUSY_WAIT_MS) {
      throw ApplicationFailure.nonRetryable(commandStayedBusy(peer, waited), ErrorType.BusyTimeout);
    }
    progress.phase = 'waitIdle';
    progress.waitingFor = waitingForBusyAgent(s.evidence, waited);
    await sleep(5000);
    waited += 5000;
  }
  progress.waitingFor = undefined;
}
