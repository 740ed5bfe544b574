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
  outcome: 'acked' | 'queued' | 'failed';
  error?: { type: string; message: string };
  extraEnters?: number;
  credentials?: 'pushed' | 'skipped';
  recovered?: boolean;
  steps: { step: string; status: string; ms?: number }[];
}
