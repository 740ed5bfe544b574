/**
 * Contracts of the peerJob workflow, by concern: its input and names (job-input), phone-homes and
 * resolutions (job-resolution), its state and the `status` query (job-status), and the inbox and
 * git-sync activities it calls (inbox, git-sync). The signals, update and query themselves are in
 * src/workflows/definitions.ts. Plain JSON only.
 */
export * from './job-input';
export * from './job-resolution';
export * from './job-status';
export * from './inbox';
export * from './git-sync';
