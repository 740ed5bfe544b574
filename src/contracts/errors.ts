/**
 * Failure type names: the `type` of every ApplicationFailure we raise, so a person reading
 * the Temporal UI (or a script reading --json) sees what went wrong in one word.
 */
export const ErrorType = {
  /** Bad workflow or CLI input (empty text, light path for multi-line text, bad peer name). */
  InvalidInput: 'InvalidInput',
  /** The peers file is wrong or the peer is not in it. */
  InvalidConfig: 'InvalidConfig',
  /** The peer's host key is not in known_hosts, or differs from it. */
  UnknownHostKey: 'UnknownHostKey',
  /** The peer refused our key. */
  AuthFailed: 'AuthFailed',
  /** The peer could not be reached (retried). */
  PeerUnreachable: 'PeerUnreachable',
  /** A command on the peer failed in a way that retrying may fix. */
  PeerCommandFailed: 'PeerCommandFailed',
  /** A dialog (folder trust, permission prompt, usage limit) is on the agent's screen. */
  DialogOnScreen: 'DialogOnScreen',
  /** The agent shows an error screen (e.g. OAuth 401 / please run /login). */
  AgentError: 'AgentError',
  /** The agent's input box already holds text someone else typed. */
  InputOccupied: 'InputOccupied',
  /** The screen is not an agent's screen we recognise. */
  UnknownScreen: 'UnknownScreen',
  /** The agent stayed busy longer than the send was allowed to wait. */
  BusyTimeout: 'BusyTimeout',
  /** The agent did not visibly start working in time. */
  AckTimeout: 'AckTimeout',
  /** The tmux session is gone and cannot be (or may not be) recovered. */
  SessionRecoveryFailed: 'SessionRecoveryFailed',
  /** The agent's tmux session (or the whole tmux server) vanished in the middle of a send. */
  SessionGone: 'SessionGone',
  /** The controller's own credentials are missing, unreadable or about to expire. */
  ControllerCredentials: 'ControllerCredentials',
  /** Credentials were pushed but the peer does not show the new expiry. */
  CredentialsNotApplied: 'CredentialsNotApplied',
  /** Another send held the pane too long (or no worker runs the lock workflow). */
  LockTimeout: 'LockTimeout',
  /** Something a policy forbids. */
  PolicyRefused: 'PolicyRefused',
  /** The controller's git sync failed (fetch failed, or the merge is not a fast-forward). */
  GitSyncFailed: 'GitSyncFailed',
  /** A file name from a peer's inbox (or a phone-home topic) that is not safe to use in a path. */
  UnsafeInboxName: 'UnsafeInboxName',
  /** A `via: worker` peer's worker did not pick up the work in time (it is not running). */
  NoPeerWorker: 'NoPeerWorker',
  /** A GPU is at or above the peer's thermal abort temperature (GPU-heavy work refused). */
  GpuTooHot: 'GpuTooHot',
  /** nvidia-smi failed or is missing, so GPU-heavy work cannot be checked (refused). */
  GpuStateUnknown: 'GpuStateUnknown',
  /** A rental peer's load average stayed above its limit for the whole allowed wait. */
  LoadTooHigh: 'LoadTooHigh',
  /** Credentials must be pushed but there is no way to (a worker peer without SSH settings). */
  CredentialsPushUnavailable: 'CredentialsPushUnavailable',
} as const;

export type ErrorTypeName = (typeof ErrorType)[keyof typeof ErrorType];

/** Failure types that retrying can never fix: activities throw these non-retryable. */
export const NON_RETRYABLE: readonly ErrorTypeName[] = [
  ErrorType.InvalidInput,
  ErrorType.InvalidConfig,
  ErrorType.UnknownHostKey,
  ErrorType.AuthFailed,
  ErrorType.DialogOnScreen,
  ErrorType.AgentError,
  ErrorType.InputOccupied,
  ErrorType.ControllerCredentials,
  ErrorType.PolicyRefused,
  ErrorType.SessionRecoveryFailed,
  ErrorType.SessionGone,
  ErrorType.UnsafeInboxName,
  ErrorType.NoPeerWorker,
  ErrorType.GpuTooHot,
  ErrorType.GpuStateUnknown,
  ErrorType.LoadTooHigh,
  ErrorType.CredentialsPushUnavailable,
];
