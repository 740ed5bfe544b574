/** Plain text for `peer-comms peek | inbox | log`: what a person reads in a terminal or a log. */
import { formatDuration } from '../config/duration';
import type { InboxEntry, InboxListing, PeekResult, RecentCommits } from '../contracts/read-peer';

/** A name or line from the peer, with control characters shown as escapes (a file name cannot move the cursor). */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function oneLine(s: string, max = 100): string {
  const t = printable(s.replace(/\s*\n\s*/g, ' ').trim());
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** `2026-11-25 17:39 (3h12m ago)` in the controller's local time. */
export function when(ms: number, now: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const age = now - ms;
  return age >= 0 ? `${stamp} (${formatDuration(age)} ago)` : stamp;
}

/** The pane's lines, then one line with the peer, the pane and the screen state. */
export function renderPeek(r: PeekResult): string[] {
  const detail =
    r.state === 'text-in-input'
      ? `: ${oneLine(r.input ?? '', 60)}`
      : r.state === 'working' || r.state.startsWith('error:') || r.state.startsWith('dialog:')
        ? ` (${oneLine(r.evidence, 80)})`
        : '';
  const extra = [r.queued ? 'a queued message is shown' : '', r.scrollback ? 'includes scrollback' : '']
    .filter(Boolean)
    .join(', ');
  return [
    ...r.lines.map(printable),
    `──── ${r.peer} ${r.target} · last ${r.lines.length} line${r.lines.length === 1 ? '' : 's'}${extra ? ` (${extra})` : ''} · state: ${r.state}${detail}`,
  ];
}

function entryLine(e: InboxEntry, width: number, now: number, note = ''): string {
  return `    ${printable(e.name).padEnd(width)}  ${bytes(e.bytes).padStart(8)}  ${when(e.mtimeMs, now)}${note ? `  ${note}` : ''}`;
}

export function renderInbox(r: InboxListing, now: number): string[] {
  if (!r.exists) return [`${r.peer}: no inbox folder at ${printable(r.inboxDir)} yet (nothing phoned home)`];
  const all = [...r.phoneHomes, ...r.done, ...r.other, ...r.resolved];
  const width = Math.min(48, Math.max(8, ...all.map((e) => printable(e.name).length)));
  const out = [`${r.peer} inbox ${printable(r.inboxDir)}`];
  out.push(`  phone-homes (${r.phoneHomes.length})${r.phoneHomes.length === 0 ? ': none' : ':'}`);
  for (const p of r.phoneHomes) out.push(entryLine(p, width, now, p.heading ? `"${oneLine(p.heading)}"` : ''));
  out.push(`  DONE markers (${r.done.length})${r.done.length === 0 ? ': none' : ':'}`);
  for (const d of r.done) out.push(entryLine(d, width, now, `job ${printable(d.jobId)}`));
  if (r.other.length > 0) {
    out.push(`  other (${r.other.length}):`);
    for (const o of r.other) out.push(entryLine(o, width, now, o.kind === 'file' ? '' : o.kind));
  }
  const shown = r.resolved.length < r.resolvedTotal ? `, newest ${r.resolved.length}` : '';
  out.push(`  resolved/ (${r.resolvedTotal}${shown})${r.resolvedTotal === 0 ? ': none' : ':'}`);
  for (const e of r.resolved) out.push(entryLine(e, width, now));
  if (r.truncated) out.push('  (long lists cut to their newest entries; --json has the same cut)');
  return out;
}

export function renderLog(r: RecentCommits, now: number): string[] {
  const g = r.git;
  if (!g) return [r.problem ?? `${r.peer}: no git state`];
  const tracking = g.upstream
    ? ` (${g.upstream}${g.ahead || g.behind ? `: ${[g.ahead ? `ahead ${g.ahead}` : '', g.behind ? `behind ${g.behind}` : ''].filter(Boolean).join(', ')}` : ': up to date'})`
    : '';
  const c = g.changes;
  const changes = [
    c.staged ? `${c.staged} staged` : '',
    c.modified ? `${c.modified} modified` : '',
    c.untracked ? `${c.untracked} untracked` : '',
    c.conflicted ? `${c.conflicted} conflicted` : '',
  ].filter(Boolean);
  const out = [
    `${r.peer} ${printable(r.workdir)}: ${g.branch ? `on ${printable(g.branch)}` : 'HEAD detached'}${tracking}${g.unborn ? ', no commits yet' : ''}; ${changes.length ? changes.join(', ') : 'working tree clean'}`,
  ];
  for (const k of r.commits) {
    out.push(
      `  ${k.hash}  ${formatDuration(Math.max(0, now - k.timeMs)).padStart(6)} ago  ${oneLine(k.subject, 80)}  (${oneLine(k.author, 30)})`,
    );
  }
  if (g.status.length > 0) {
    out.push(`  status${g.statusTotal > g.status.length ? ` (first ${g.status.length} of ${g.statusTotal})` : ''}:`);
    for (const s of g.status) out.push(`    ${printable(s)}`);
  }
  return out;
}
