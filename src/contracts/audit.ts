/** One line of the audit log (JSONL). Never the credentials; the text only as its hash. */
export interface AuditRecord {
  time: string;
  peer: string;
  workflowId: string;
  runId?: string;
  requestedBy?: string;
  path?: 'light' | 'heavy';
  bytes?: number;
  sha256?: string;
  outcome: 'acked' | 'queued' | 'unconfirmed' | 'failed';
  /** What decided the outcome, and the agent's receipt when it gave one. */
  ackSource?: 'hook' | 'transcript' | 'screen';
  receipt?: { source: 'hook' | 'transcript'; at: string; length: number; promptId?: string };
  /** The directive's turn when the send ended (working, done, failed: <error>). */
  turn?: string;
  error?: { type: string; message: string };
  extraEnters?: number;
  credentials?: 'pushed' | 'skipped';
  recovered?: boolean;
  steps: { step: string; status: string; ms?: number }[];
}
