/** Timeout and retry groups more than one workflow uses (each workflow keeps its own special ones). */
import type { ActivityOptions } from '@temporalio/workflow';

/** Quick shell steps: one round trip each; retry a flaky link a few times, fast, then give up readably. */
export const QUICK: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 4 },
};

/** Credential pushes (always on the controller): a few attempts; what a person must fix is non-retryable anyway. */
export const CREDENTIALS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
};
