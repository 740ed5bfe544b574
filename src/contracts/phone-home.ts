/**
 * Phone-home files and the texts a job sends the peer: inbox file names, the peer's
 * recommendation (a file's closing section), the job footer and the resolution message.
 * Pure functions, used by the workflow (deterministic, no Node APIs), the activities, the
 * CLI and the tests alike.
 */
import { fnv1a36 } from './short-hash';
import { isSafeName } from './job-input';
import { decisionLetter, type Decision, type Resolution, type StopReason } from './job-resolution';

export const PHONE_HOME_PREFIX = 'PHONE-HOME-';
export const RESOLVED_FOLDER = 'resolved';
/** The recommendation kept in status is cut here (the whole text is kept beside it). */
export const RECOMMENDATION_MAX_CHARS = 4000;

export function phoneHomeFileName(topic: string): string {
  return `${PHONE_HOME_PREFIX}${topic}.md`;
}

export function doneMarkerName(jobId: string): string {
  return `DONE-${jobId}.md`;
}

/** `PHONE-HOME-gpu-oom.md` → `gpu-oom`; undefined when the name is not a safe phone-home file name. */
export function topicFromFileName(name: string): string | undefined {
  if (!name.startsWith(PHONE_HOME_PREFIX) || !name.endsWith('.md')) return undefined;
  const topic = name.slice(PHONE_HOME_PREFIX.length, -'.md'.length);
  return isSafeName(topic) && isSafeName(name) ? topic : undefined;
}

/** A topic as a person or a script gives it (`gpu-oom` or `PHONE-HOME-gpu-oom.md`), checked; undefined if unsafe. */
export function normalizeTopic(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const s = input.trim();
  if (s.startsWith(PHONE_HOME_PREFIX) && s.endsWith('.md')) return topicFromFileName(s);
  return isSafeName(s) ? s : undefined;
}

/** A short stable key for a text (FNV-1a, base36) after normalising line ends and outer blanks. */
export function textKey(text: string): string {
  const s = text.replace(/\r\n?/g, '\n').trim();
  return `${fnv1a36(s)}.${s.length.toString(36)}`;
}

interface Heading {
  line: number;
  level: number;
  title: string;
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The peer's recommendation: the closing section of a phone-home file. The last section whose
 * heading names a recommendation (up to the next heading of the same or a higher level),
 * otherwise the last heading's section, otherwise the last paragraph. Headings inside fenced
 * code do not count. Trimmed, at most RECOMMENDATION_MAX_CHARS.
 */
export function closingSection(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const headings: Heading[] = [];
  const inFence: boolean[] = [];
  let fence: string | null = null;
  lines.forEach((line, i) => {
    const f = FENCE.exec(line);
    if (fence !== null) {
      inFence.push(true);
      if (f?.[1] && f[1][0] === fence[0] && f[1].length >= fence.length) fence = null;
      return;
    }
    if (f?.[1]) {
      fence = f[1];
      inFence.push(true);
      return;
    }
    inFence.push(false);
    const h = HEADING.exec(line);
    if (h?.[1]) headings.push({ line: i, level: h[1].length, title: h[2] ?? '' });
  });

  const recommending = headings.filter((h) => /recommend/i.test(h.title)).pop();
  const chosen = recommending ?? headings[headings.length - 1];
  if (chosen) {
    const next = headings.find((h) => h.line > chosen.line && h.level <= chosen.level);
    const body = lines.slice(chosen.line + 1, next ? next.line : lines.length);
    if (body.some((l) => l.trim() !== '')) {
      return cap([lines[chosen.line] ?? '', ...body].join('\n').trim());
    }
  }

  // No (non-empty) section: the last paragraph (empty headings at the end skipped), a fenced
  // block counting as part of its paragraph.
  const headingAt = new Set(headings.map((h) => h.line));
  let end = lines.length - 1;
  while (end >= 0 && !inFence[end] && ((lines[end] ?? '').trim() === '' || headingAt.has(end))) end--;
  if (end < 0) return '';
  let start = end;
  while (start > 0 && ((lines[start - 1] ?? '').trim() !== '' || inFence[start - 1])) start--;
  return cap(
    lines
      .slice(start, end + 1)
      .join('\n')
      .trim(),
  );
}

function cap(s: string): string {
  return s.length > RECOMMENDATION_MAX_CHARS ? `${s.slice(0, RECOMMENDATION_MAX_CHARS - 1)}…` : s;
}

/** 4h, 1h30m, 45m, 90s: a budget as a person writes it. */
export function formatBudget(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 3_600_000 && ms % 60_000 === 0) return `${Math.floor(ms / 3_600_000)}h${(ms % 3_600_000) / 60_000}m`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Appended to a job's directive: the job id, where to phone home, the DONE marker. */
export function jobFooter(jobId: string, inboxDir: string | undefined): string {
  const dir = inboxDir ?? 'your inbox folder';
  return [
    '',
    '',
    '---',
    `peer-comms job: ${jobId}`,
    `- To stop for a decision, write ${dir}/${PHONE_HOME_PREFIX}<topic>.md (topic: letters, digits, ".", "_", "-"), end it with your recommendation, and wait for the resolution.`,
    `- When the work is finished and committed, write ${dir}/${doneMarkerName(jobId)} with a short summary.`,
  ].join('\n');
}

const WHAT_TO_DO: Record<Decision, string> = {
  'accept-and-revise': 'your analysis stands: fold the findings into the plan and carry on.',
  'rerun-with-fix': 'apply the fix below and re-run the same protocol.',
  'halt-for-review':
    'stop now. Do not continue this job or start other work for it; leave the working tree as it is and wait for review.',
};

export interface ResolutionMessageInput {
  jobId: string;
  reason: StopReason;
  resolution: Pick<Resolution, 'decision' | 'note' | 'amendedDirective' | 'by' | 'topic'>;
  /** Where the phone-home file was. */
  file?: string;
  /** The budget from now on (not for halt-for-review); null when the job has none. */
  budgetMs?: number | null;
  /** The budget that ran out (a budget stop). */
  spentBudgetMs?: number | null;
}

/** The text sent back to the peer after a person's decision (byte-exact, through sendDirective). */
export function resolutionMessage(m: ResolutionMessageInput): string {
  const r = m.resolution;
  const what =
    m.reason === 'budget'
      ? `your wall-clock budget${m.spentBudgetMs ? ` of ${formatBudget(m.spentBudgetMs)}` : ''} ran out`
      : `phone-home "${r.topic ?? '?'}"${m.file ? ` (${m.file})` : ''}`;
  const lines = [`[peer-comms] Job ${m.jobId}: resolution of ${what}.`];
  const todo =
    r.decision === 'rerun-with-fix' && r.amendedDirective
      ? 're-run with the amended directive below.'
      : WHAT_TO_DO[r.decision];
  lines.push(`Decision: (${decisionLetter(r.decision)}) ${r.decision} - ${todo}`);
  if (r.note.trim() !== '') lines.push(`Note${r.by ? ` from ${r.by}` : ''}: ${r.note.trim()}`);
  if (r.decision !== 'halt-for-review') {
    if (m.budgetMs) lines.push(`Budget: ${formatBudget(m.budgetMs)} from now.`);
    if (m.reason === 'phone-home') lines.push('The phone-home file moves to the resolved folder of your inbox.');
  }
  if (r.decision === 'rerun-with-fix' && r.amendedDirective) {
    lines.push('', 'Amended directive:', r.amendedDirective);
  }
  return lines.join('\n');
}
