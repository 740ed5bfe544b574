/**
 * The agent's own records (hook event log, session transcript) as the receipt activities report
 * them: where they stood before a paste, which sources an agent has, and one text's turn.
 * Plain JSON only.
 */

/** Where the records stood before a send: bytes of the event log, and the newest transcript's path and size. */
export interface RecordCursor {
  events: number;
  transcript: { path: string; size: number } | null;
}

/** Which receipt sources an agent has right now. */
export interface ReceiptSources {
  /** The event log exists (the agent was started with peer-comms' settings, or its unit has them). */
  hook: boolean;
  /** A session transcript exists in the agent's working folder. */
  transcript: boolean;
}

/** Where to look for one text's turn: the records' cursor before its paste, and its canonical sha256. */
export interface TurnRef {
  cursor: RecordCursor;
  receiptSha256: string;
}

export interface TurnReading {
  /** working: received, not ended; done: ended well; failed: <error>; unknown: no receipt found (or no records). */
  turn: 'working' | 'done' | 'unknown' | `failed: ${string}`;
  /** Which record showed it (receipts/records.ts RecordSource). */
  source: 'hook' | 'transcript' | null;
  /** The agent's own words about a failure (error_details). */
  words?: string;
  /** Read again from here next time (records already seen are not read twice). */
  cursor: RecordCursor;
}
