/**
 * Step 5, ready: look before typing. Never into a dialog, never over someone's text; wait while
 * the agent is busy (or queue behind it with --queue); an OAuth 401 on screen is recovered first.
 */
import { ApplicationFailure, sleep } from '@temporalio/workflow';
import type { ScreenSummary } from '../../contracts/session';
import { ErrorType } from '../../contracts/errors';
import type { PreflightReport } from '../../contracts/preflight';
import type { StepRecord } from '../../contracts/send';
import {
  dialogOnScreen,
  errorOnScreen,
  idleDetail,
  inputOccupied,
  stayedBusy,
  unknownScreen,
  waitingForAgent,
} from './messages';
import type { PeerSide } from './peer';
import { restartAfter401 } from './session';
import type { Send } from './state';

/** Looks until the agent can take the text; returns the last look (its state 'working' means queued). */
export async function ready(send: Send, at: PeerSide, report: PreflightReport): Promise<ScreenSummary> {
  const { peer, state } = send;
  const look = async (): Promise<ScreenSummary> => {
    const seen = await at.rideOut('a look at the screen', () =>
      at.quick.inspectScreen.executeWithOptions({ summary: `read the screen of ${peer}` }, [{ peer }]),
    );
    state.screen = seen;
    return seen;
  };
  const rec = state.begin('inspectScreen');
  let screen = await look();
  state.end(rec, 'done', `${screen.state}${screen.leftCopyMode ? ' (left copy mode)' : ''}`);
  const wait: Waiting = { busyMs: 0, unknownLooks: 0 };
  for (;;) {
    const next = verdict(send, screen, report);
    if (next === 'go') break;
    if (next === 'restart') {
      await restartAfter401(send, at, report, screen.evidence);
      screen = await look();
      continue;
    }
    await waitABit(send, screen, report, wait);
    screen = await look();
  }
  state.waitFor(undefined);
  if (wait.rec) state.end(wait.rec, 'done', idleDetail(screen, wait.busyMs));
  return screen;
}

/** What the screen allows: type now, recover a 401 first, or wait; throws what a person must see to. */
function verdict(send: Send, screen: ScreenSummary, report: PreflightReport): 'go' | 'restart' | 'wait' {
  const { peer, state, input } = send;
  if (screen.state.startsWith('dialog:')) {
    throw ApplicationFailure.nonRetryable(dialogOnScreen(peer, screen, report.session.name), ErrorType.DialogOnScreen, {
      screen: screen.tail,
    });
  }
  if (screen.state === 'error:oauth' && !state.authRestarted) return 'restart';
  // An earlier turn's error (a rate limit, a failed turn before a redelivery, the error the
  // agent was restarted for) above an empty box: the agent takes the next turn.
  const settled = screen.input === '' && screen.busy !== true;
  if (screen.state.startsWith('error:') && settled && (state.staleErrorOk || screen.state !== 'error:oauth')) {
    return 'go';
  }
  if (screen.state.startsWith('error:') && !screen.busy) {
    throw ApplicationFailure.nonRetryable(errorOnScreen(peer, screen), ErrorType.AgentError, { screen: screen.tail });
  }
  // someone's text in the box: never paste into it (with --queue it would merge), and
  // while the agent works it may yet be sent, so wait
  if (screen.input && (input.queue || (screen.state !== 'working' && !screen.busy))) {
    throw ApplicationFailure.nonRetryable(inputOccupied(peer, screen.input), ErrorType.InputOccupied);
  }
  if (screen.state === 'idle' || (screen.state === 'working' && input.queue)) return 'go';
  return 'wait';
}

interface Waiting {
  rec?: StepRecord;
  busyMs: number;
  unknownLooks: number;
}

/** One pause while the agent is busy or not yet ready (backing off to 15 s); throws past the limits. */
async function waitABit(send: Send, screen: ScreenSummary, report: PreflightReport, wait: Waiting): Promise<void> {
  const { peer, state } = send;
  const limit = report.settings.busyWaitMs;
  if (screen.state === 'unknown') {
    if (++wait.unknownLooks > 20) {
      throw ApplicationFailure.nonRetryable(
        unknownScreen(peer, report.session.name, screen.tail),
        ErrorType.UnknownScreen,
      );
    }
  } else if (wait.busyMs >= limit) {
    throw ApplicationFailure.nonRetryable(stayedBusy(peer, wait.busyMs, limit), ErrorType.BusyTimeout);
  }
  wait.rec ??= state.begin('waitIdle', 'waiting');
  const pause = Math.min(15_000, 1000 * 2 ** Math.min(4, Math.floor(wait.busyMs / 10_000)));
  state.waitFor(waitingForAgent(screen, wait.busyMs, limit));
  await sleep(pause, { summary: `${peer}: agent ${screen.state === 'working' ? 'busy' : 'not ready'}, look again` });
  wait.busyMs += pause;
}
