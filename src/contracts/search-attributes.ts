/** Search attributes the UI list can filter on (registered by `peer-comms dev` and the worker). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PEER_ATTR = defineSearchAttributeKey('Peer', SearchAttributeType.KEYWORD);
export const OUTCOME_ATTR = defineSearchAttributeKey('Outcome', SearchAttributeType.KEYWORD);

/** A peer job's state (`watching`, `awaiting-resolution`, `done`, …): `JobState = "awaiting-resolution"`. */
export const JOB_STATE_ATTR = defineSearchAttributeKey('JobState', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [PEER_ATTR, OUTCOME_ATTR, JOB_STATE_ATTR];
