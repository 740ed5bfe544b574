/**
 * The Temporal surface: every signal, query and update of peer-comms' workflows, with its types.
 * Workflows register handlers for these, and clients, workers, tests and docs address the
 * workflows through them: never by a string name (lint refuses `.signal('…')`, `.query('…')`,
 * `.executeUpdate('…')` … anywhere else). The names in quotes are the wire names the Web UI and
 * recorded histories know: never rename one.
 * Workflow-safe: only @temporalio/workflow's define* and contract types.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BroadcastProgress } from '../contracts/broadcast';
import type { CommandProgress } from '../contracts/command';
import type { FleetReport } from '../contracts/fleet';
import type { CompleteInput, PhoneHomeSignal, ResolveAccepted, ResolveInput } from '../contracts/job-resolution';
import type { JobStatus } from '../contracts/job-status';
import type { LockRequest, PaneLockState } from '../contracts/pane-lock';
import type { SendProgress } from '../contracts/send';

// sendDirective
/** Where the send is: its phase, steps so far, what it waits for. */
export const progressQuery = defineQuery<SendProgress>('progress');

// broadcast
/** Each peer's child send and, once it ended, its outcome. */
export const broadcastProgressQuery = defineQuery<BroadcastProgress>('broadcastProgress');

// agentCommand
/** Where the slash command is: its phase and what it waits for. */
export const commandProgressQuery = defineQuery<CommandProgress>('commandProgress');

// paneLock
/** A send (or command) asks for the pane; signal-with-start creates the lock. */
export const acquireSignal = defineSignal<[LockRequest]>('acquire');
/** A requester lets the pane go (also while still queued). */
export const releaseSignal = defineSignal<[{ requester: string }]>('release');
/** Sent by the lock to the requester when the pane is its turn. */
export const lockGrantedSignal = defineSignal<[{ lockWorkflowId: string }]>('lockGranted');
export const lockStateQuery = defineQuery<PaneLockState>('lockState');

// fleetHealth
/** The peers checked so far. */
export const reportQuery = defineQuery<FleetReport>('report');

// peerJob
/** Anything (the peer worker, a script, the UI) reports a phone-home: `{"topic","text","file"?}`. */
export const phoneHomeSignal = defineSignal<[PhoneHomeSignal]>('phoneHome');
/** A person's decision, refused at once (validator) when it is unknown or nothing is pending. */
export const resolveUpdate = defineUpdate<ResolveAccepted, [ResolveInput]>('resolve');
/** The same decision as a signal, for the Web UI's "send signal"; a refusal shows as `lastRejected`. */
export const resolveSignal = defineSignal<[ResolveInput]>('resolveSignal');
/** Ends the job (then the git sync): `{"note"?, "by"?}` or no payload. */
export const completeSignal = defineSignal<[CompleteInput?]>('complete');
export const statusQuery = defineQuery<JobStatus>('status');
