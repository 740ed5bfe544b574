/**
 * preflight: everything the reference checks by hand before a send, gathered in ONE round
 * trip (one small script, our own constant text; its inputs are passed as positional
 * arguments, never spliced into it).
 */
import { posix } from 'node:path';
import type { GpuReading, PreflightReport } from '../contracts/preflight';
import { allowScript } from '../guards/commands';
import { GPU_QUERY_FIELDS, checkGpus, describeGpuCheck, parseGpuLine } from '../guards/gpu';
import { formatDuration } from '../config/duration';
import type { PeerConfig } from '../config/schema';
import { peerContext, run, type PeerContext, type PeerDeps } from './context';

export const PREFLIGHT_SCRIPT = allowScript({
  name: 'preflight',
  checkArgs: (args) => {
    const [, , , , , smi = '', fields = ''] = args;
    if (posix.basename(smi) !== 'nvidia-smi')
      return `the GPU query command must be nvidia-smi, not ${JSON.stringify(smi)}`;
    return /^[a-z._,]+$/.test(fields) ? undefined : 'bad nvidia-smi query fields';
  },
  script: String.raw`
sess="$1"; cred="$2"; sflag="$3"; sval="$4"; target="$5"; smi="$6"; gpuq="$7"; loadf="$8"
case "$cred" in "~/"*) cred="$HOME/$(printf %s "$cred" | cut -c3-)";; esac
tm() { if [ -n "$sflag" ]; then tmux "$sflag" "$sval" "$@"; else tmux "$@"; fi; }
echo "hostname=$(cat /proc/sys/kernel/hostname 2>/dev/null || hostname)"
echo "now=$(date +%s)"
echo "uptime=$(cut -d' ' -f1 /proc/uptime 2>/dev/null)"
echo "loadavg=$(cut -d' ' -f1-3 "$loadf" 2>/dev/null)"
if command -v tmux >/dev/null 2>&1; then
  if tm has-session -t "=$sess" >/dev/null 2>&1; then echo "session=alive"; else echo "session=dead"; fi
else
  echo "session=no-tmux"
fi
if [ -r "$cred" ]; then
  echo "cred_expires=$(grep -o '"expiresAt"[[:space:]]*:[[:space:]]*[0-9]*' "$cred" | head -n 1 | grep -o '[0-9]*$')"
elif [ -e "$cred" ]; then
  echo "cred=unreadable"
else
  echo "cred=missing"
fi
if command -v "$smi" >/dev/null 2>&1; then
  out=$("$smi" --query-gpu="$gpuq" --format=csv,noheader,nounits 2>&1)
  echo "gpu_rc=$?"
  printf '%s\n' "$out" | sed 's/^/gpu=/'
else
  echo "gpu_rc=absent"
fi
df -Pk / 2>/dev/null | tail -n 1 | awk '{print "disk=" $5 " " $2 " " $4}'
`,
});

function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number.parseFloat(s);
  return Number.isFinite(n) ? n : null;
}

export function createPreflight(deps: PeerDeps) {
  return async function preflight(input: { peer: string }): Promise<PreflightReport> {
    const started = deps.now();
    const ctx = await peerContext(deps, input.peer);
    const { kv, gpuLines } = await runScript(ctx);
    const now = deps.now();
    const warnings: string[] = [];
    const th = ctx.cfg.thresholds;

    const peerNow = (num(kv.get('now')) ?? now / 1000) * 1000;
    if (Math.abs(peerNow - now) > 120_000) {
      warnings.push(`peer clock differs from the controller's by ${formatDuration(Math.abs(peerNow - now))}`);
    }
    const loadParts = (kv.get('loadavg') ?? '').split(/\s+/).map(num);
    const loadAverage =
      loadParts.length === 3 && loadParts.every((n) => n !== null) ? (loadParts as [number, number, number]) : null;
    if (loadAverage && loadAverage[0] > th.loadAverage) {
      warnings.push(`load average ${loadAverage[0]} is above the peer's limit ${th.loadAverage}`);
    }
    const credentials = credentialsOf(ctx, kv, now, warnings);
    const gpu = gpusOf(ctx, kv, gpuLines, warnings);
    const disk = diskOf(kv, th.diskPercent, warnings);

    const sessionState = kv.get('session');
    return {
      peer: ctx.name,
      hostname: kv.get('hostname') ?? '',
      peerNow,
      uptimeSeconds: num(kv.get('uptime')),
      loadAverage,
      session: { name: ctx.session, alive: sessionState === 'alive', tmuxMissing: sessionState === 'no-tmux' },
      credentials,
      ...gpu,
      disk,
      warnings,
      settings: settingsOf(ctx.cfg),
      elapsedMs: deps.now() - started,
    };
  };
}

/** Runs the script; its `key=value` lines (the `gpu=` lines apart, in order). */
async function runScript(ctx: PeerContext): Promise<{ kv: Map<string, string>; gpuLines: string[] }> {
  const sflag = ctx.sock.path ? '-S' : ctx.sock.name ? '-L' : '';
  const sval = ctx.sock.path ?? ctx.sock.name ?? '';
  const res = await run(ctx, 'preflight', [
    'sh',
    '-c',
    PREFLIGHT_SCRIPT,
    'peer-comms-preflight',
    ctx.session,
    ctx.cfg.credentialsPath,
    sflag,
    sval,
    ctx.target,
    ctx.cfg.gpu.nvidiaSmi,
    GPU_QUERY_FIELDS,
    ctx.cfg.thresholds.loadAverageFile,
  ]);
  const kv = new Map<string, string>();
  const gpuLines: string[] = [];
  for (const line of res.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'gpu') gpuLines.push(value);
    else kv.set(key, value);
  }
  return { kv, gpuLines };
}

function credentialsOf(
  ctx: PeerContext,
  kv: Map<string, string>,
  now: number,
  warnings: string[],
): PreflightReport['credentials'] {
  const path = ctx.cfg.credentialsPath;
  const expiresAt = num(kv.get('cred_expires'));
  let problem: string | undefined;
  if (kv.get('cred') === 'missing') problem = `no credentials file at ${path}`;
  else if (kv.get('cred') === 'unreadable') problem = `credentials file ${path} is not readable`;
  else if (expiresAt === null) problem = `no expiresAt found in ${path}`;
  const refreshDue = expiresAt === null || expiresAt - now < ctx.cfg.thresholds.credentialRefresh;
  if (expiresAt !== null && expiresAt < now)
    warnings.push(`the peer's OAuth token expired ${formatDuration(now - expiresAt)} ago`);
  return { path, expiresAt, problem, refreshDue };
}

function gpusOf(
  ctx: PeerContext,
  kv: Map<string, string>,
  gpuLines: string[],
  warnings: string[],
): Pick<PreflightReport, 'gpus' | 'gpuProblem' | 'gpuCheck'> {
  let gpus: GpuReading[] | null = null;
  let gpuProblem: string | undefined;
  const gpuRc = kv.get('gpu_rc');
  const smi = ctx.cfg.gpu.nvidiaSmi;
  if (gpuRc === 'absent') {
    // No GPUs is normal for some peers; a peer configured with a power limit expects them.
    if (ctx.cfg.gpu.powerLimitW !== undefined)
      gpuProblem = `nvidia-smi is not installed (\`${smi}\` not found on the peer)`;
  } else if (gpuRc === '0') {
    gpus = gpuLines.map(parseGpuLine).filter((g): g is GpuReading => g !== null);
    if (gpus.length === 0) gpuProblem = `nvidia-smi printed no GPU lines: ${gpuLines.join(' ').slice(0, 200)}`;
  } else if (gpuRc) {
    gpus = [];
    gpuProblem = `nvidia-smi failed (exit ${gpuRc}): ${gpuLines.join(' ').trim().slice(0, 200) || 'no output'}`;
  }
  if (gpuProblem) warnings.push(`${ctx.name}: ${gpuProblem}`);
  const gpuCheck = checkGpus(gpus ?? [], ctx.cfg.gpu);
  warnings.push(...describeGpuCheck(ctx.name, gpuCheck));
  return { gpus, gpuProblem, gpuCheck };
}

function diskOf(kv: Map<string, string>, limitPercent: number, warnings: string[]): PreflightReport['disk'] {
  const d = (kv.get('disk') ?? '').split(/\s+/);
  const usePercent = num(d[0]?.replace('%', ''));
  if (usePercent === null) return null;
  if (usePercent >= limitPercent) warnings.push(`disk / is ${usePercent}% full (limit ${limitPercent}%)`);
  return { usePercent, sizeKiB: num(d[1]) ?? 0, availKiB: num(d[2]) ?? 0 };
}

/** The peer's send settings, as the report shows them. */
function settingsOf(cfg: PeerConfig): PreflightReport['settings'] {
  return {
    ackTimeoutMs: cfg.ack.timeout,
    settleMs: cfg.ack.settle,
    settleTypedMs: cfg.ack.settleTyped,
    maxExtraEnters: cfg.ack.maxExtraEnters,
    busyWaitMs: cfg.ack.busyWait,
    confirmMs: cfg.ack.confirm,
    rateLimitWaitMs: cfg.ack.rateLimitWait,
    overloadedRetries: cfg.ack.overloadedRetries,
    rateLimitPauseMs: cfg.ack.rateLimitPause,
    overloadedBackoffMs: cfg.ack.overloadedBackoff,
    recovery: cfg.recovery.method,
    rental: cfg.rental
      ? {
          maxLoadAverage: cfg.rental.maxLoadAverage,
          maxWaitMs: cfg.rental.maxWait,
          checkEveryMs: cfg.rental.checkEvery,
        }
      : null,
  };
}
