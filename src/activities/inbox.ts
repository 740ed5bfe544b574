/**
 * The phone-home inbox on a peer, `<workdir>/<inbox>/<inboxHost>/`:
 * - scanInbox: one round trip lists `PHONE-HOME-*.md` and the job's `DONE-<jobId>.md` and reads
 *   the files the job has not seen yet (our own constant script; its inputs are positional
 *   arguments, never spliced into it; names and contents travel base64-encoded);
 * - resolvePhoneHome: moves a phone-home file into `resolved/` beside it (nothing deleted).
 */
import type { PeerConfig } from '../config/schema';
import { ErrorType } from '../contracts/errors';
import {
  INBOX_FILE_MAX_BYTES,
  INBOX_MAX_FILES,
  isSafeName,
  type InboxFile,
  type InboxScan,
  type ResolvePhoneHomeInput,
  type ResolvePhoneHomeResult,
  type ScanInboxInput,
} from '../contracts/job';
import { RESOLVED_FOLDER, doneMarkerName, phoneHomeFileName, topicFromFileName } from '../contracts/phone-home';
import { allowScript } from '../guards/commands';
import { fail, peerContext, run, translate, type PeerDeps } from './context';

const SCRIPT = allowScript({
  name: 'inbox scan',
  script: String.raw`
dir="$1"; done="$2"; max="$3"; cap="$4"; known=" $5 "; withtext="$6"
if [ ! -d "$dir" ]; then echo nodir; exit 0; fi
cd -- "$dir" || exit 3
echo dir
n=0
for f in "$done" PHONE-HOME-*.md; do
  [ -f "$f" ] || continue
  n=$((n+1))
  name=$(printf %s "$f" | base64 | tr -d '\n')
  if [ "$n" -gt "$max" ]; then echo "over $name"; continue; fi
  sum=$(cksum < "$f" | awk '{print $1 "-" $2}')
  case "$known" in *" $f=$sum "*) echo "known $name $sum"; continue;; esac
  printf 'file %s %s ' "$name" "$sum"
  if [ "$withtext" = 1 ]; then head -c "$cap" -- "$f" | base64 | tr -d '\n'; fi
  printf '\n'
done
`,
});

/** `<workdir>/<inbox>/<host>` as a peer path (`~/…` or absolute). */
export function inboxDirOf(name: string, cfg: Pick<PeerConfig, 'workdir' | 'inbox' | 'inboxHost'>): string {
  const trim = (p: string) => p.replace(/\/+$/, '');
  const inbox = trim(cfg.inbox);
  const base = inbox.startsWith('/') || inbox.startsWith('~') ? inbox : `${trim(cfg.workdir)}/${inbox}`;
  return `${base}/${cfg.inboxHost ?? name}`;
}

/** The path a command run in the peer user's home understands: `~/x` → `x`, `~` → `.`. */
export function homeRelative(path: string): string {
  if (path === '~') return '.';
  if (path.startsWith('~/')) return path.slice(2).replace(/^\/+/, '') || '.';
  return path;
}

function fromBase64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

/** Parses the scan script's output into files (pure; exported for tests). */
export function parseScanOutput(
  stdout: string,
  inboxDir: string,
  doneName: string,
): Pick<InboxScan, 'exists' | 'phoneHomes' | 'done' | 'unchanged' | 'skipped'> {
  const result: Pick<InboxScan, 'exists' | 'phoneHomes' | 'done' | 'unchanged' | 'skipped'> = {
    exists: false,
    phoneHomes: [],
    unchanged: [],
    skipped: [],
  };
  for (const line of stdout.split('\n')) {
    const [kind, b64name = '', sum = '', content = ''] = line.trim().split(' ');
    if (kind === 'dir') result.exists = true;
    if (kind !== 'file' && kind !== 'known' && kind !== 'over') continue;
    const name = fromBase64(b64name);
    if (kind === 'over') {
      result.skipped.push({ name, reason: `more than ${INBOX_MAX_FILES} files in the inbox; looked at the first` });
      continue;
    }
    if (name !== doneName && !topicFromFileName(name)) {
      result.skipped.push({ name, reason: 'not a safe phone-home file name (letters, digits, ".", "_", "-")' });
      continue;
    }
    if (kind === 'known') {
      result.unchanged.push(name);
      continue;
    }
    const bytes = Number(sum.split('-')[1] ?? NaN);
    const data = Buffer.from(content, 'base64');
    const file: InboxFile = {
      name,
      path: `${inboxDir}/${name}`,
      sum,
      bytes: Number.isFinite(bytes) ? bytes : data.length,
      text: data.toString('utf8'),
      truncated: Number.isFinite(bytes) && bytes > data.length && content !== '',
    };
    if (name === doneName) result.done = file;
    else result.phoneHomes.push(file);
  }
  return result;
}

export function createInboxActivities(deps: PeerDeps) {
  async function scanInbox(input: ScanInboxInput): Promise<InboxScan> {
    if (!isSafeName(input.jobId)) {
      throw fail(ErrorType.UnsafeInboxName, `job id ${JSON.stringify(input.jobId)} cannot name a file`);
    }
    const ctx = await peerContext(deps, input.peer);
    const inboxDir = inboxDirOf(ctx.name, ctx.cfg);
    const doneName = doneMarkerName(input.jobId);
    const known = Object.entries(input.known ?? {})
      .filter(([name, sum]) => isSafeName(name) && /^[0-9]+-[0-9]+$/.test(sum))
      .map(([name, sum]) => `${name}=${sum}`)
      .join(' ');
    const res = await run(
      ctx,
      'scan the inbox',
      [
        'sh',
        '-c',
        SCRIPT,
        'peer-comms-scan',
        homeRelative(inboxDir),
        doneName,
        String(INBOX_MAX_FILES),
        String(INBOX_FILE_MAX_BYTES),
        known,
        input.withText === false ? '0' : '1',
      ],
      { timeoutMs: 20_000 },
    );
    return {
      inboxDir,
      scanIntervalMs: ctx.cfg.jobs.scanInterval,
      ...parseScanOutput(res.stdout, inboxDir, doneName),
    };
  }

  async function resolvePhoneHome(input: ResolvePhoneHomeInput): Promise<ResolvePhoneHomeResult> {
    const fileName = phoneHomeFileName(input.topic);
    if (topicFromFileName(fileName) !== input.topic) {
      throw fail(ErrorType.UnsafeInboxName, `phone-home topic ${JSON.stringify(input.topic)} cannot name a file`);
    }
    const ctx = await peerContext(deps, input.peer);
    const inboxDir = inboxDirOf(ctx.name, ctx.cfg);
    const from = `${inboxDir}/${fileName}`;
    const resolvedDir = `${inboxDir}/${RESOLVED_FOLDER}`;
    try {
      if (!(await ctx.shell.stat(from))) return { moved: false, from, reason: 'no such file on the peer' };
      await ctx.shell.mkdirp(resolvedDir, 0o755);
      // Never replace an earlier resolved file of the same topic: the first free name wins.
      let to = `${resolvedDir}/${fileName}`;
      for (let n = 1; await ctx.shell.stat(to); n++) {
        if (n > 999) throw new Error(`${resolvedDir} holds 1000 files named ${fileName}.<n>`);
        to = `${resolvedDir}/${fileName}.${n}`;
      }
      await ctx.shell.rename(from, to);
      return { moved: true, from, to };
    } catch (err) {
      throw translate(ctx.name, 'move the phone-home to resolved/', err);
    }
  }

  return { scanInbox, resolvePhoneHome };
}
