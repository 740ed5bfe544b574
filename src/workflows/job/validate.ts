/** A peerJob's input, checked before anything starts (a bad one fails the workflow at once). */
import { ApplicationFailure } from '@temporalio/workflow';
import { ErrorType } from '../../contracts/errors';
import { isSafeName, type PeerJobInput } from '../../contracts/job';
import { isPeerName } from '../../contracts/route';
import { MAX_JOB_DIRECTIVE_BYTES, MAX_TEXT_BYTES, formatRefusal, gateText } from '../../contracts/text-gate';
import { THE_DIRECTIVE, badInput } from './messages';

export function validateJobInput(input: PeerJobInput, jobId: string): void {
  const bad = (message: string) => ApplicationFailure.nonRetryable(message, ErrorType.InvalidInput);
  if (!input || !isPeerName(input.peer)) throw bad(badInput.peer(input?.peer));
  // The input gate, as for a send (the directive goes out through one, footer included).
  const gate = gateText(input.directive, {
    what: THE_DIRECTIVE,
    maxBytes: input.jobFooter === false ? MAX_TEXT_BYTES : MAX_JOB_DIRECTIVE_BYTES,
  });
  if (!gate.ok) throw bad(formatRefusal(gate));
  if (!isSafeName(jobId)) throw bad(badInput.jobId(jobId));
  if (input.budgetMs !== undefined && !(Number.isFinite(input.budgetMs) && input.budgetMs > 0)) {
    throw bad(badInput.budget(input.budgetMs));
  }
  const max = input.maxIterationsBeforeContinueAsNew;
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) throw bad(badInput.maxIterations);
}
