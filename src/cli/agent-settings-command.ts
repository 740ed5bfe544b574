/**
 * `peer-comms agent-settings <peer> [--install]`: what a user needs to start the agent with the
 * receipt hooks themselves (their own systemd unit or tmux command): the settings file on the
 * peer and the `--settings` flag. With --install it writes (or refreshes) the hook script and the
 * settings file (0600) on the peer; the user's own Claude Code settings are never touched.
 */
import { agentPaths, installReceiptHook } from '../activities/receipts';
import { peerContext } from '../activities/context';
import type { Config } from '../config/schema';
import { describeFailure } from '../client/send';
import { AGENT_REWRITES } from '../receipts/rewrites';
import { HOOK_EVENTS } from '../receipts/hook';
import { directDeps } from './direct-deps';
import { EXIT } from './exit';

export async function agentSettingsNow(
  config: Config,
  peer: string,
  opts: { install: boolean; json: boolean },
): Promise<number> {
  const { deps, pool } = directDeps(config);
  try {
    const ctx = await peerContext(deps, peer);
    const paths = await agentPaths(ctx);
    const installed = opts.install ? await installReceiptHook(ctx) : null;
    const flag = `--settings ${paths.settings}`;
    const problem = installed && installed.settings === null ? installed.reason : undefined;
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ ok: !problem, peer, installed: !!installed && !problem, ...paths, flag, problem }, null, 2)}\n`,
      );
      return problem ? EXIT.failed : EXIT.ok;
    }
    const rec = ctx.cfg.recovery;
    const lines = [
      `${peer}: receipt hook for tmux session ${ctx.session}`,
      `  settings file  ${paths.settings}${installed ? (problem ? `  (NOT installed: ${problem})` : '  (installed, 0600)') : opts.install ? '' : '  (not written: add --install)'}`,
      `  event log      ${paths.events}  (${HOOK_EVENTS.join(', ')})`,
      `  transcript     ${paths.transcriptDir}/<session>.jsonl  (used when the agent has no hooks)`,
      '',
      `Start the agent with:  claude ${flag}`,
      rec.method === 'systemd'
        ? `  systemd unit ${rec.unit}: add \`${flag}\` to its ExecStart, then \`systemctl --user daemon-reload\`; peer-comms refreshes the file before each restart`
        : rec.method === 'tmux'
          ? rec.hooks
            ? '  recovery tmux: peer-comms adds the flag itself whenever it starts the agent'
            : '  recovery tmux has hooks: false: add the flag to the command, or set hooks: true'
          : '  no recovery method: add the flag where you start the agent by hand',
      '',
      'What the agent changes in a text (a receipt matches after these):',
      ...AGENT_REWRITES.map((r) => `  - ${r}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return problem ? EXIT.failed : EXIT.ok;
  } catch (err) {
    const f = describeFailure(err);
    if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, error: f }, null, 2)}\n`);
    else process.stderr.write(`${peer}: agent-settings failed [${f.type}]: ${f.message}\n`);
    return EXIT.failed;
  } finally {
    await pool.closeAll();
  }
}
