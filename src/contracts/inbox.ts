/**
 * The peer's inbox as the activities see it: scanInbox's input and result, and moving a
 * resolved phone-home into `resolved/`. Plain JSON only.
 */

/** One inbox file as scanInbox found it. */
export interface InboxFile {
  /** The file name, e.g. `PHONE-HOME-gpu-oom.md`. */
  name: string;
  /** Its path on the peer. */
  path: string;
  /** `cksum` of the file on the peer (`<crc>-<bytes>`): tells a changed file from one already seen. */
  sum: string;
  /** Full size in bytes. */
  bytes: number;
  /** UTF-8 text, at most INBOX_FILE_MAX_BYTES (see `truncated`); empty when not asked for. */
  text: string;
  truncated: boolean;
}

export const INBOX_FILE_MAX_BYTES = 64 * 1024;
/** At most this many files are looked at per scan (the DONE marker first). */
export const INBOX_MAX_FILES = 16;

export interface ScanInboxInput {
  peer: string;
  jobId: string;
  /**
   * Files the job has already handled, name → sum: listed as `unchanged` without their text, so
   * a scan's result (kept in the workflow history) stays small. A changed file is read again.
   */
  known?: Record<string, string>;
  /** Read the files' text (default true); false for the first look, before the directive goes out. */
  withText?: boolean;
}

export interface InboxScan {
  /** `<workdir>/<inbox>/<inboxHost>` on the peer. */
  inboxDir: string;
  /** False when the folder does not exist (yet). */
  exists: boolean;
  /** The peer's `jobs.scanInterval`. */
  scanIntervalMs: number;
  phoneHomes: InboxFile[];
  /** `DONE-<jobId>.md`, when present and not known. */
  done?: InboxFile;
  /** Known files still there, unchanged (names). */
  unchanged: string[];
  /** Files left out: names not safe to use (their text dropped), or past INBOX_MAX_FILES. */
  skipped: { name: string; reason: string }[];
}

export interface ResolvePhoneHomeInput {
  peer: string;
  topic: string;
}

export interface ResolvePhoneHomeResult {
  moved: boolean;
  from: string;
  /** `<inboxDir>/resolved/PHONE-HOME-<topic>.md` (with `.1`, `.2`… when that name is taken). */
  to?: string;
  reason?: string;
}
