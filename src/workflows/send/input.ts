/**
 * Accepting a send: the input checked (the same gate as the CLI's, for starts from the UI or the
 * `temporal` CLI), the text normalised once, the delivery path chosen; and the delivery id.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { ErrorType } from '../../contracts/errors';
import { fnv1a36 } from '../../contracts/short-hash';
import { isPeerName } from '../../contracts/route';
import { WORKLOADS, choosePath, type DeliveryPath, type SendDirectiveInput } from '../../contracts/send';
import { formatRefusal, gateText } from '../../contracts/text-gate';
import { badPeerName, unknownMode, unknownWorkload } from './messages';

/** A stable delivery id from the workflow id: readable tail plus a short hash (FNV-1a). */
export function deliveryIdFor(workflowId: string): string {
  return `${workflowId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(-48)}-${fnv1a36(workflowId)}`;
}

/**
 * Checks the input and returns the text as it is to be delivered: the input gate
 * (src/contracts/text-gate.ts) refuses what the CLI refuses, with the same message, and
 * normalises line breaks (CRLF, CR → LF) once.
 */
export function validate(input: SendDirectiveInput): string {
  if (!input || !isPeerName(input.peer)) {
    throw ApplicationFailure.nonRetryable(badPeerName(input?.peer), ErrorType.InvalidInput);
  }
  const gate = gateText(input.text);
  if (!gate.ok) throw ApplicationFailure.nonRetryable(formatRefusal(gate), ErrorType.InvalidInput);
  if (input.mode && !['auto', 'light', 'heavy'].includes(input.mode)) {
    throw ApplicationFailure.nonRetryable(unknownMode(input.mode), ErrorType.InvalidInput);
  }
  if (input.workload && !WORKLOADS.includes(input.workload)) {
    throw ApplicationFailure.nonRetryable(unknownWorkload(input.workload), ErrorType.InvalidInput);
  }
  return gate.text;
}

/** The delivery path for the (normalised) text, or a refusal the sender can act on. */
export function deliveryPath(input: SendDirectiveInput): DeliveryPath {
  const path = choosePath(input.text, input.mode ?? 'auto');
  if (typeof path !== 'string') throw ApplicationFailure.nonRetryable(path.error, ErrorType.InvalidInput);
  return path;
}
