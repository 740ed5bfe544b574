/**
 * The delivery's tmux buffers removed by the ack step, once the ack is decided: the send's own
 * clean-up activity (six history events) is then not needed.
 *
 * Crash-safe because the buffers matter only to `deliver` of the same delivery id (the marker
 * buffer says the text was typed or pasted already), and that step completed before awaitAck
 * was scheduled: the workflow never runs it again for this id (a redelivery takes a fresh id).
 * A retried awaitAck decides again from the agent's records and removes them again (harmless).
 * A removal that fails is not the ack's failure: the result then does not say `buffersRemoved`,
 * and the workflow removes them with cleanupDelivery as before.
 */
import type { AckResult, AwaitAckInput } from '../contracts/ack';
import { peerContext, tryRunScript, type PeerDeps } from './context';
import { removeBuffersScript } from './deliver';

type AwaitAck = (input: AwaitAckInput) => Promise<AckResult>;

/** awaitAck that also removes the buffers of `input.deliveryId` (when given) once it has decided. */
export function removingBuffers(deps: PeerDeps, inner: AwaitAck): AwaitAck {
  return async function awaitAck(input: AwaitAckInput): Promise<AckResult> {
    const result = await inner(input);
    if (!input.deliveryId) return result;
    return (await removeBuffers(deps, input.peer, input.deliveryId))
      ? { ...result, buffersRemoved: input.deliveryId }
      : result;
  };
}

/** Both buffers of a delivery in one round trip (each may be gone already); false when that failed. */
async function removeBuffers(deps: PeerDeps, peer: string, deliveryId: string): Promise<boolean> {
  try {
    const ctx = await peerContext(deps, peer);
    const res = await tryRunScript(ctx, 'remove the delivery buffers', removeBuffersScript(ctx.sock, deliveryId));
    return res.code === 0 || res.code === 1; // 1: the marker was gone already (the text buffer usually is)
  } catch {
    return false;
  }
}
