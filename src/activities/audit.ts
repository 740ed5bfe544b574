/** audit: append one JSONL line per send to the controller's audit log. */
import type { AuditRecord } from '../contracts/audit';
import type { ControllerDeps } from './context';

/** Anything that looks like an OAuth token is masked, as a last line of defence. */
export function redact(line: string): string {
  return line.replace(/sk-ant-[A-Za-z0-9_-]{8,}/g, 'sk-ant-…redacted');
}

export function createAudit(deps: Pick<ControllerDeps, 'appendAudit'>) {
  return async function audit(record: AuditRecord): Promise<void> {
    await deps.appendAudit(redact(JSON.stringify(record)));
  };
}
