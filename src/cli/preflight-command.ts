/** `peer-comms preflight <peer>`: the preflight activity run directly, no workflow. */
import { createPreflight } from '../activities/preflight';
import type { Config } from '../config/schema';
import { formatDuration } from '../config/duration';
import { describeFailure } from '../client/send';
import { directDeps } from './direct-deps';
import { EXIT } from './exit';

export async function preflightNow(config: Config, peer: string, json: boolean): Promise<number> {
  const { deps, pool } = directDeps(config);
  const preflight = createPreflight(deps);
  try {
    const r = await preflight({ peer });
    if (json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return EXIT.ok;
    }
    const exp = r.credentials.expiresAt;
    const lines = [
      `${peer}: ${r.hostname}, up ${r.uptimeSeconds === null ? '?' : formatDuration(r.uptimeSeconds * 1000)}, load ${r.loadAverage?.join(' ') ?? '?'}`,
      `  tmux session ${r.session.name}: ${r.session.tmuxMissing ? 'tmux not installed' : r.session.alive ? 'alive' : 'GONE'}`,
      `  token: ${exp === null ? (r.credentials.problem ?? 'unknown') : `expires ${new Date(exp).toISOString()} (in ${formatDuration(exp - Date.now())})`}${r.credentials.refreshDue ? ' — refresh due' : ''}`,
      `  disk /: ${r.disk ? `${r.disk.usePercent}% used` : 'unknown'}`,
      `  GPUs: ${r.gpus === null ? 'no nvidia-smi' : r.gpus.map((g) => `#${g.index} ${g.temperatureC}°C ${g.powerDrawW}/${g.powerLimitW} W ${g.memoryUsedMiB} MiB`).join('; ') || r.gpuProblem || 'none'}`,
      ...r.warnings.map((w) => `  ! ${w}`),
      `  (${r.elapsedMs} ms)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  } catch (err) {
    const f = describeFailure(err);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: f }, null, 2)}\n`);
    else process.stderr.write(`${peer}: preflight failed [${f.type}]: ${f.message}\n`);
    return EXIT.failed;
  } finally {
    await pool.closeAll();
  }
}
