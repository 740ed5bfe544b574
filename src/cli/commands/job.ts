/** `peer-comms job start|list|show|resolve|complete`: long-running peer jobs, through Temporal. */
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { addExamples } from '../help-examples';
import { whoAmI } from '../who';

/** The examples in each one's --help. */
const EXAMPLES: Record<string, string[]> = {
  job: [
    'peer-comms job start gpu1 directive.md',
    'peer-comms job list --awaiting',
    'peer-comms job resolve job-gpu1-retrain -d a -n "ship it"',
  ],
  start: [
    'peer-comms job start gpu1 directive.md',
    'cat directive.md | peer-comms job start gpu1 - --budget 4h --slug retrain',
    'peer-comms job start gpu1 directive.md --workload gpu --json',
  ],
  list: ['peer-comms job list', 'peer-comms job list --awaiting --json'],
  show: ['peer-comms job show job-gpu1-retrain', 'peer-comms job show job-gpu1-retrain --json'],
  resolve: [
    'peer-comms job resolve job-gpu1-retrain -d a -n "good enough, write it up"',
    'peer-comms job resolve job-gpu1-retrain -d rerun-with-fix --amend directive-v2.md',
    'peer-comms job resolve job-gpu1-retrain -d c',
  ],
  complete: [
    'peer-comms job complete job-gpu1-retrain',
    'peer-comms job complete job-gpu1-retrain -n "merged into main"',
  ],
};

export function registerJob(program: Command, ctx: CommandContext): void {
  const job = program.command('job').description('long-running peer jobs: phone-homes, resolutions, completion');

  job
    .command('start')
    .description('check the directive, then start a job that sends it and watches the peer')
    .argument('<peer>')
    .argument('<directive>', 'Markdown directive file (see peer-comms lint; "-" reads standard input)')
    .option('--budget <duration>', "wall-clock budget (default: the directive's own)")
    .option('--slug <slug>', 'job id part (default: from the directive title or goal)')
    .option('--force', 'start even if the directive lacks parts')
    .option('--workload <kind>', 'gpu | cpu (default) | none: as for send')
    .option('--json', 'print JSON')
    .action(
      async (
        peerName: string,
        file: string,
        opts: { budget?: string; slug?: string; force?: boolean; json?: boolean; workload?: string },
      ) => {
        const { prepareJobStart, jobStart } = await import('../job-command.js');
        const { checkPeerFiles } = await import('../input-checks.js');
        const { file: configFile, config } = await ctx.loadConfig();
        ctx.requirePeer(config, peerName);
        // the directive is read, gated and checked before connecting: exit 2 with nothing started
        const prepared = await prepareJobStart(peerName, file, { ...opts, requestedBy: whoAmI() });
        if (typeof prepared === 'number') {
          process.exitCode = prepared;
          return;
        }
        await checkPeerFiles(configFile, config, peerName);
        await ctx.withClient((c) => jobStart(c, prepared, opts));
      },
    );

  job
    .command('list')
    .description('list jobs')
    .option('--awaiting', 'only jobs awaiting a resolution')
    .option('--json', 'print JSON')
    .action(async (opts: { awaiting?: boolean; json?: boolean }) => {
      const { jobList } = await import('../job-command.js');
      await ctx.withClient((c) => jobList(c, opts));
    });

  job
    .command('show')
    .description('a job’s state, its phone-home text and the peer’s recommendation, resolutions so far')
    .argument('<job-id>')
    .option('--json', 'print JSON')
    .action(async (jobId: string, opts: { json?: boolean }) => {
      const { jobShow } = await import('../job-command.js');
      await ctx.withClient((c) => jobShow(c, jobId, opts));
    });

  job
    .command('resolve')
    .description('answer a phone-home (or a spent budget): a accept-and-revise, b rerun-with-fix, c halt-for-review')
    .argument('<job-id>')
    .requiredOption('-d, --decision <a|b|c>', 'a, b or c (or the decision name)')
    .option('-n, --note <text>', 'sent to the peer with the decision', '')
    .option('--amend <file>', 'rerun-with-fix: the amended directive to run instead')
    .option('--json', 'print JSON')
    .action(async (jobId: string, opts: { decision: string; note?: string; amend?: string; json?: boolean }) => {
      const { jobResolve } = await import('../job-command.js');
      await ctx.withClient((c) => jobResolve(c, jobId, { ...opts, by: whoAmI() }));
    });

  job
    .command('complete')
    .description('tell a job its work is done: it syncs git (fetch, merge --ff-only) and ends')
    .argument('<job-id>')
    .option('-n, --note <text>', 'a note kept in the job status')
    .action(async (jobId: string, opts: { note?: string }) => {
      const { jobComplete } = await import('../job-command.js');
      await ctx.withClient((c) => jobComplete(c, jobId, { ...opts, by: whoAmI() }));
    });

  addExamples(job, EXAMPLES);
}
