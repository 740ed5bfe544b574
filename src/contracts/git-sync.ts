/** The gitSync activity's input and result: `git fetch` + `git merge --ff-only` in the controller's repository. */

export interface GitSyncInput {
  jobId: string;
}

export interface GitSyncResult {
  ok: boolean;
  /** True when controller.repo is not configured: nothing was done. */
  skipped?: boolean;
  /** Why it did not sync (or why it was skipped). */
  reason?: string;
  repo?: string;
  remote?: string;
  branch?: string;
  /** HEAD before and after. */
  before?: string;
  after?: string;
  fastForwarded?: boolean;
}
