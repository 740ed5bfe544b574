/**
 * The peerJob workflow's input and its names: the job id (`job-<peer>-<slug>`) and the names
 * safe as a file name or a path segment on the peer. Plain JSON only.
 */
import type { CarriedJobState } from './job-status';
import type { Workload } from './send';

/** A name that is safe as a file name or a path segment on the peer: no `/`, no `..`, plain characters. */
export const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..');
}

/** Turns free text ("Fix the GPU OOM!") into a job slug (`fix-the-gpu-oom`). */
export function slugify(text: string, maxLength = 40): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, maxLength)
    .replace(/[-.]+$/, '');
  return slug || 'job';
}

/** The workflow id of a job: `job-<peer>-<slug>` (the slug is cleaned with `slugify`). */
export function jobWorkflowId(peer: string, slug: string): string {
  return `job-${peer}-${slugify(slug)}`;
}

export interface PeerJobInput {
  peer: string;
  /** The directive text, sent byte-exact (plus the job footer unless `jobFooter` is false). */
  directive: string;
  /** Names the DONE marker (`DONE-<jobId>.md`) and the sends (`<jobId>-send-<n>`). Default: the workflow id. */
  jobId?: string;
  /** Wall-clock budget in ms (a durable timer, paused while the job waits for a person). None when absent. */
  budgetMs?: number;
  /** Who started the job (CLI user@host); kept on each send's audit line. */
  requestedBy?: string;
  /** What the work is (SendDirectiveInput.workload): gpu work is refused while a GPU is too hot. Default cpu. */
  workload?: Workload;
  /**
   * Append a short footer to the directive: the job id, where to write a phone-home and the DONE
   * marker. Default true (the peer cannot know the marker's name otherwise).
   */
  jobFooter?: boolean;
  /** Continue-as-new after this many loop passes (scans, wake-ups, resolutions). Default 1000. */
  maxIterationsBeforeContinueAsNew?: number;
  /** Set by the workflow itself when it continues as new: everything it knew. */
  carried?: CarriedJobState;
}
