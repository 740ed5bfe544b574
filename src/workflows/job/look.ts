/**
 * A job's look at its peer: the inbox scan (phone-homes, the DONE marker) and the agent's records
 * for the last text's turn, side by side; then the wait until the next look. Workflow code:
 * deterministic.
 */
import { condition, patched } from '@temporalio/workflow';
import type { InboxScan } from '../../contracts/job';
import { somethingToActOn, warn } from '../peer-job-state';
import { failureMessage, failureType } from '../failures';
import { untilNextLook } from './budget';
import { summary, warning } from './messages';
import { takeScan } from './phone-homes';
import { showDetails, type JobRun } from './run';
import { readPast, takeTurnReading, turnToRead, type TurnReading } from './turns';

/** One inbox scan: what it found, or undefined when it failed (the error shows in the status). */
export async function scanInbox(run: JobRun, withText: boolean): Promise<InboxScan | undefined> {
  const { s, peer, jobId } = run;
  try {
    const r = await run.scanning.scanInbox.executeWithOptions({ summary: summary.scan(peer) }, [
      { peer, jobId, known: s.knownFiles, withText },
    ]);
    s.scanIntervalMs = r.scanIntervalMs;
    s.inboxDir = r.inboxDir;
    s.lastScanAt = Date.now();
    delete s.scanError;
    for (const x of r.skipped) warn(s, warning.inboxFileIgnored(x.name, x.reason));
    return r;
  } catch (err) {
    s.scanError = {
      type: failureType(err),
      message: failureMessage(err),
      at: Date.now(),
      consecutive: (s.scanError?.consecutive ?? 0) + 1,
    };
    return undefined;
  }
}

/**
 * The last text's turn from the agent's records, while it is open and there is a ref (a send
 * recorded without `turnRef` never gets here). Undefined when not read, or when reading failed.
 */
async function readTurn(run: JobRun): Promise<TurnReading | undefined> {
  const { s, peer } = run;
  const open = turnToRead(s);
  if (!open) return undefined;
  run.readsTurns ??= patched('job-turns');
  if (!run.readsTurns) return undefined;
  const { ref, turn } = open;
  try {
    const r = await run.reading.readTurn.executeWithOptions({ summary: summary.readTurn(turn.of, peer) }, [
      { peer, ref },
    ]);
    if (r.turn === 'unknown') readPast(s, ref, r.cursor);
    return r;
  } catch (err) {
    warn(s, warning.turnNotRead(turn.of, failureMessage(err)));
    return undefined;
  }
}

/** One look at the peer. True when it found something to act on at once (a phone-home, completion, a failed turn). */
export async function lookAtPeer(run: JobRun): Promise<boolean> {
  const { s } = run;
  const [found, turn] = await Promise.all([scanInbox(run, true), readTurn(run)]);
  if (found) takeScan(s, found, Date.now());
  // After the scan: a DONE marker seen in the same pass wins over a failed turn.
  if (turn) {
    takeTurnReading(s, turn, Date.now());
    showDetails(s);
  }
  return somethingToActOn(s);
}

/** Until the next look: the scan interval (or the budget's end), or sooner when a message arrives. */
export async function waitForNextLook({ s, peer }: JobRun): Promise<void> {
  await condition(
    () => s.queued.length > 0 || s.completion !== undefined || s.pendingResolution !== undefined,
    untilNextLook(s, Date.now()),
    { summary: `next look at ${peer}'s inbox (sooner on a message)` },
  );
}
