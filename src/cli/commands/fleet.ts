/** `peer-comms fleet schedule|check|status`: the fleet health check, scheduled or by hand. */
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { addExamples } from '../help-examples';

/** The examples in each one's --help. */
const EXAMPLES: Record<string, string[]> = {
  fleet: ['peer-comms fleet schedule --every 30m', 'peer-comms fleet check', 'peer-comms fleet status --json'],
  schedule: [
    'peer-comms fleet schedule                 (every 30m, or the current interval)',
    'peer-comms fleet schedule --every 15m',
    'peer-comms fleet schedule --pause',
  ],
  check: ['peer-comms fleet check', 'peer-comms fleet check gpu1 gpu2 --json'],
  status: ['peer-comms fleet status', 'peer-comms fleet status --json'],
};

export function registerFleet(program: Command, ctx: CommandContext): void {
  const fleet = program
    .command('fleet')
    .description('fleet health: every peer checked on a schedule, credentials pushed before they expire');

  fleet
    .command('schedule')
    .description('create or update the Temporal Schedule that runs the fleet check; or pause, resume or delete it')
    .option('--every <duration>', 'how often (default 30m, or the current interval)')
    .option('--pause', 'pause the schedule')
    .option('--unpause', 'resume the paused schedule')
    .option('--delete', 'delete the schedule')
    .action(async (opts: { every?: string; pause?: boolean; unpause?: boolean; delete?: boolean }) => {
      const { fleetSchedule, scheduleRequest } = await import('../fleet-schedule.js');
      const request = scheduleRequest(opts);
      await ctx.withClient((c) => fleetSchedule(c, request));
    });

  fleet
    .command('check')
    .description('check every peer now (or those named): preflight, credentials pushed when due; print the table')
    .argument('[peers...]', 'peer names (default: all)')
    .option('--json', 'print JSON')
    .action(async (peers: string[], opts: { json?: boolean }) => {
      const { fleetCheck } = await import('../fleet-command.js');
      const { config } = await ctx.loadConfig();
      for (const p of peers) ctx.requirePeer(config, p);
      await ctx.withClient((c) => fleetCheck(c, peers, opts));
    });

  fleet
    .command('status')
    .description('the last fleet report: reachability, sessions, tokens, GPUs, disk, load per peer')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { fleetStatus } = await import('../fleet-command.js');
      await ctx.withClient((c) => fleetStatus(c, opts));
    });

  addExamples(fleet, EXAMPLES);
}
