/**
 * Phone-homes and the DONE marker, from an inbox scan or the `phoneHome` signal: which is new,
 * which waits, which was resolved already. Deterministic code only; `now` is workflow time.
 */
import {
  FINAL_JOB_STATES,
  INBOX_FILE_MAX_BYTES,
  type CarriedJobState,
  type InboxScan,
  type PhoneHome,
} from '../../contracts/job';
import {
  closingSection,
  normalizeTopic,
  phoneHomeFileName,
  textKey,
  topicFromFileName,
} from '../../contracts/phone-home';
import { isRecord } from '../peer-job-state';
import { refused } from './messages';

/** The last path part (a peer path: `/`-separated). */
function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * Takes a phone-home (from a scan or the `phoneHome` signal). Returns why it was refused, or
 * undefined when it was taken, or was already known (the same phone-home counts once: by topic
 * while it is pending, by topic and text once it is resolved).
 */
export function takePhoneHome(
  s: CarriedJobState,
  payload: unknown,
  source: PhoneHome['source'],
  now: number,
): string | undefined {
  if (!isRecord(payload)) return refused.phoneHomeShape;
  const topic = normalizeTopic(payload.topic);
  if (!topic) return refused.topic(payload.topic);
  if (typeof payload.text !== 'string') return refused.phoneHomeText;
  const text = payload.text.length > INBOX_FILE_MAX_BYTES ? payload.text.slice(0, INBOX_FILE_MAX_BYTES) : payload.text;
  let file: string | undefined;
  if (payload.file !== undefined) {
    const f = payload.file;
    if (typeof f !== 'string' || baseName(f) !== phoneHomeFileName(topic) || f.split('/').includes('..')) {
      return refused.phoneHomeFile(topic);
    }
    file = f.includes('/') ? f : s.inboxDir ? `${s.inboxDir}/${f}` : f;
  }
  if (FINAL_JOB_STATES.includes(s.state)) return refused.ended(s.state);

  const pending = [s.current, ...s.queued].find((p) => p?.topic === topic);
  if (pending) {
    fillIn(pending, text, file);
    return undefined;
  }
  if (s.resolvedKeys.includes(resolvedKey(topic, text))) return undefined;
  s.queued.push({
    topic,
    file: file ?? (s.inboxDir ? `${s.inboxDir}/${phoneHomeFileName(topic)}` : undefined),
    text,
    recommendation: closingSection(text),
    seenAt: now,
    source,
  });
  s.phoneHomesSeen.push(topic);
  return undefined;
}

/** A pending phone-home seen again: what the first sighting lacked (its file, its text). */
function fillIn(pending: PhoneHome, text: string, file: string | undefined): void {
  if (!pending.file && file) pending.file = file;
  if (pending.text.trim() === '' && text.trim() !== '') {
    pending.text = text;
    pending.recommendation = closingSection(text);
  }
}

/** How a resolved phone-home is known again: its topic and text. */
function resolvedKey(topic: string, text: string): string {
  return `${topic}#${textKey(text)}`;
}

/** A phone-home resolved: the same file seen again is not new. */
export function markResolved(s: CarriedJobState, p: PhoneHome): void {
  s.resolvedKeys.push(resolvedKey(p.topic, p.text));
}

/** Files in the inbox before the directive was sent: not this job's (unless they change). */
export function ignoreFilesAtStart(s: CarriedJobState, first: InboxScan | undefined): void {
  for (const f of first ? [...first.phoneHomes, ...(first.done ? [first.done] : [])] : []) {
    s.knownFiles[f.name] = f.sum;
    s.ignoredAtStart.push(f.name);
  }
}

/** Takes what a scan found: the DONE marker (the job completes), new phone-homes (queued). */
export function takeScan(s: CarriedJobState, r: InboxScan, now: number): void {
  if (r.done) {
    s.knownFiles[r.done.name] = r.done.sum;
    s.completion ??= { source: 'marker', text: r.done.text, at: now };
  }
  for (const f of r.phoneHomes) {
    s.knownFiles[f.name] = f.sum;
    const topic = topicFromFileName(f.name);
    if (topic) takePhoneHome(s, { topic, text: f.text, file: f.path }, 'scan', now);
  }
}
