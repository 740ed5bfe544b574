/** What the refreshCredentials activity did on a peer. Plain JSON only (epoch ms). */

export interface RefreshResult {
  action: 'pushed' | 'skipped';
  reason: string;
  peerExpiresAtBefore: number | null;
  peerExpiresAtAfter: number | null;
  controllerExpiresAt: number;
  backupPath?: string;
}
