/**
 * Reading a failure's cause chain (child → activity → application failure) in workflow code:
 * the type a person or a script can act on, and the innermost readable message.
 */
import { ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/workflow';

/** The first ApplicationFailure type, timeout (`Timeout:<kind>`) or cancellation in the chain. */
export function failureType(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 10; depth++) {
    if (e instanceof ApplicationFailure && e.type) return e.type;
    if (e instanceof TimeoutFailure) return `Timeout:${e.timeoutType}`;
    if (e instanceof CancelledFailure) return 'Cancelled';
    e = e.cause;
  }
  return 'Error';
}

/** The innermost non-empty message in the chain. */
export function failureMessage(err: unknown): string {
  let e: unknown = err;
  let last = String(err);
  for (let depth = 0; e instanceof Error && depth < 10; depth++) {
    if (e.message !== '') last = e.message;
    e = e.cause;
  }
  return last;
}
