/**
 * Step 1, preflight and the peer's policy: a look at the peer (session, token, disk, load,
 * GPUs), then the GPU guard for GPU-heavy work and a rental peer's load rule for any work.
 */
import { ApplicationFailure, sleep } from '@temporalio/workflow';
import type { PreflightReport } from '../../contracts/preflight';
import { ErrorType } from '../../contracts/errors';
import type { StepRecord } from '../../contracts/send';
import { watchPickup } from '../routing';
import {
  gpuDetail,
  gpuStateUnknown,
  gpuTooHot,
  loadDetail,
  loadStayedHigh,
  preflightDetail,
  tmuxMissing,
  waitingForLoad,
} from './messages';
import type { PeerSide } from './peer';
import type { Send } from './state';

/** Preflight, recorded in `rec` (begun before the pane lock was asked for). */
export async function preflight(send: Send, at: PeerSide, rec: StepRecord): Promise<PreflightReport> {
  const { peer, state } = send;
  const report = await at.rideOut('preflight', () =>
    watchPickup(
      at.route,
      at.quick.preflight.executeWithOptions({ summary: `preflight ${peer}` }, [{ peer }]),
      (waiting) => {
        state.waitFor(waiting);
        rec.status = waiting ? 'waiting' : 'running';
      },
    ),
  );
  state.warn(...report.warnings);
  state.end(rec, 'done', preflightDetail(report));
  if (report.session.tmuxMissing) {
    throw ApplicationFailure.nonRetryable(tmuxMissing(peer), ErrorType.SessionRecoveryFailed);
  }
  return report;
}

/** The peer's policy: GPU guard for GPU-heavy work, a rental peer's load rule for any work. */
export async function policy(send: Send, at: PeerSide, report: PreflightReport): Promise<void> {
  if (send.workload === 'gpu') {
    const rec = send.state.begin('gpuCheck');
    send.state.end(rec, 'done', checkGpuWork(send.peer, report));
  }
  const rental = report.settings.rental;
  if (rental && send.workload !== 'none' && report.loadAverage && report.loadAverage[0] > rental.maxLoadAverage) {
    await waitForLoad(send, at, rental, report.loadAverage[0]);
  }
}

type Rental = NonNullable<PreflightReport['settings']['rental']>;

/** A rental peer above its load limit: look again every so often, for at most the rental's wait. */
async function waitForLoad(send: Send, at: PeerSide, rental: Rental, firstLoad: number): Promise<void> {
  const { peer, state } = send;
  const rec = state.begin('waitLoad', 'waiting');
  let load = firstLoad;
  let waited = 0;
  while (load > rental.maxLoadAverage) {
    if (waited >= rental.maxWaitMs) {
      throw ApplicationFailure.nonRetryable(
        loadStayedHigh(peer, rental.maxLoadAverage, load, waited),
        ErrorType.LoadTooHigh,
      );
    }
    state.waitFor(waitingForLoad(peer, load, rental.maxLoadAverage, waited, rental.maxWaitMs, rental.checkEveryMs));
    await sleep(rental.checkEveryMs, { summary: `${peer}: load ${load} over ${rental.maxLoadAverage}, check again` });
    waited += rental.checkEveryMs;
    const r = await at.rideOut('the load check', () =>
      at.quick.readLoad.executeWithOptions({ summary: `read the load average of ${peer}` }, [{ peer }]),
    );
    load = r.load1 ?? load;
  }
  state.waitFor(undefined);
  state.end(rec, 'done', loadDetail(load, waited));
}

/** GPU-heavy work: refused while a GPU is at its abort temperature, or when nvidia-smi cannot tell. */
function checkGpuWork(peer: string, report: PreflightReport): string {
  const hot = report.gpuCheck.hot;
  if (hot.length > 0) {
    throw ApplicationFailure.nonRetryable(gpuTooHot(peer, hot), ErrorType.GpuTooHot, { gpus: report.gpus });
  }
  if (report.gpuProblem || !report.gpus || report.gpus.length === 0) {
    throw ApplicationFailure.nonRetryable(gpuStateUnknown(peer, report.gpuProblem), ErrorType.GpuStateUnknown);
  }
  return gpuDetail(report.gpus);
}
