/**
 * Reading a failure's cause chain (child → activity → application failure) in workflow code:
 * the type a person or a script can act on, and the innermost readable message.
 */
import { ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/workflow';
import { causeChain } from '../contracts/failure-chain';

/** The first ApplicationFailure type, timeout (`Timeout:<kind>`) or cancellation in the chain. */
export function failureType(err: unknown): string {
  for (const e of causeChain(err)) {
    if (e instanceof ApplicationFailure && e.type) return e.type;
    if (e instanceof TimeoutFailure) return `Timeout:${e.timeoutType}`;
    if (e instanceof CancelledFailure) return 'Cancelled';
  }
  return 'Error';
}

/** The innermost non-empty message in the chain. */
export function failureMessage(err: unknown): string {
  let last = String(err);
  for (const e of causeChain(err)) if (e.message !== '') last = e.message;
  return last;
}
