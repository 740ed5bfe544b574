/** The deliver and submit activities' inputs and results: the text pasted, then C-m. Plain JSON only. */
import type { RecordCursor } from './records';
import type { DeliveryPath } from './send';

export interface DeliverInput {
  peer: string;
  deliveryId: string;
  text: string;
  path: DeliveryPath;
}

export interface DeliverResult {
  path: DeliveryPath;
  bytes: number;
  sha256: string;
  /** sha256 of the text in the form the agent reports it (receipts/rewrites.ts), to match receipts. */
  receiptSha256: string;
  /** A retry found the text already pasted. */
  alreadyDelivered: boolean;
  /** When the paste ended (this worker's clock, epoch ms), so submit can settle from it. */
  pastedAt: number;
}

export interface SubmitInput {
  peer: string;
  settleMs?: number;
  pastedAt?: number;
  /** Where the agent's records stood before the paste, and the text's canonical sha256. */
  cursor?: RecordCursor | null;
  receiptSha256?: string;
  /** This attempt's deliver pasted the text just now (not a retry that found it pasted). */
  pastedNow?: boolean;
}

export interface SubmitResult {
  pressed: boolean;
  state: string;
  reason?: string;
}
