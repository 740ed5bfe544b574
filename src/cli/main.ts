#!/usr/bin/env node
/**
 * peer-comms — send work to Claude Code agents in tmux sessions on peer machines, durably,
 * through Temporal. Run `peer-comms --help`.
 */
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, getPeer, loadConfig, type LoadedConfig } from '../config/load';
import type { Connection, Client } from '@temporalio/client';
import type { TemporalSettings } from '../temporal/connection';
import { EXIT, UsageError } from './exit';
import type { JobContext } from './job-command';
import { describe, flushed, installStdioGuards, outputClosed, reportError } from './stdio';
import { whoAmI } from './who';

installStdioGuards();

const program = new Command();
program
  .name('peer-comms')
  .description('Durable sends to Claude Code agents in tmux on peer machines, through Temporal')
  .option('-c, --config <file>', 'peers file (default: $PEER_COMMS_CONFIG, ./peers.yaml, the user config dir)')
  .showHelpAfterError()
  // Parse errors (unknown option, missing argument) are usage errors: exit 2, not commander's 1.
  .exitOverride();

const configOpt = (): string | undefined => program.opts<{ config?: string }>().config;

/** The config file read last: named when a peer is not in it. */
let configFileRead: string | undefined;
/** The config read last: its `controller.codec` turns on encryption at rest for the client. */
let configRead: LoadedConfig['config'] | undefined;

async function loadCliConfig(): Promise<LoadedConfig> {
  const loaded = await loadConfig(configOpt());
  configFileRead = loaded.file;
  configRead = loaded.config;
  return loaded;
}

/** Connects to Temporal, or fails with a line that says where and what to do (exit 1). */
async function connect(): Promise<{ client: Client; connection: Connection; settings: TemporalSettings }> {
  const { connectClient, temporalSettings } = await import('../temporal/connection.js');
  const { codecOptions } = await import('../temporal/codec.js');
  const codec = await codecOptions(configRead); // a bad key setting: a config error (exit 2), not "cannot connect"
  try {
    return await connectClient(codec);
  } catch (err) {
    const { address, namespace } = temporalSettings();
    throw new Error(
      `cannot connect to Temporal at ${address} (namespace ${namespace}): ${describe(err)}; is it running? (\`peer-comms dev\` starts one; TEMPORAL_ADDRESS or a temporal.toml profile picks another)`,
      { cause: err },
    );
  }
}

program
  .command('send')
  .description('send a directive to a peer and wait until its agent visibly works on it')
  .argument('<peer>', 'peer name from the config')
  .argument('[text]', 'the directive (or use --from-file)')
  .option(
    '-f, --from-file <file>',
    'read the directive from a file (UTF-8, or UTF-16 with a BOM; "-" reads standard input)',
  )
  .option('--heavy', 'stage the text as a file on the peer and paste it from there')
  .option('--light', 'pass the text in the command itself (one line, at most 2000 bytes)')
  .option('--queue', 'if the agent is busy, queue the text behind its work (exit 3) instead of waiting')
  .option(
    '--workload <kind>',
    'gpu: refused while a GPU is over its abort temperature; cpu (default): a rental peer waits for low load; none: never held back',
  )
  .option('--json', 'print one JSON object for scripts')
  .addHelpText('after', '\nA text that starts with "-" goes after "--": peer-comms send <peer> -- "-v is verbose"')
  .configureOutput({
    outputError: (message, write) => {
      write(message);
      if (/unknown option '-/.test(message)) {
        write('hint: a text that starts with "-" goes after "--": peer-comms send <peer> -- "-your text"\n');
      }
    },
  })
  .action(async (peerName: string, text: string | undefined, opts: Record<string, boolean | string | undefined>) => {
    // Everything that can be checked here is checked before connecting: bad input exits 2 with
    // nothing started, even when no Temporal server is running.
    const { modeOf, runSend, workloadOf } = await import('./send-command.js');
    const { checkPeerFiles, gatedText, peerOrUsage } = await import('./input-checks.js');
    const { choosePath } = await import('../contracts/send.js');
    const { file, config } = await loadCliConfig();
    peerOrUsage(file, config, peerName);
    const sendOpts = { fromFile: opts.fromFile as string | undefined, heavy: !!opts.heavy, light: !!opts.light };
    const mode = modeOf(sendOpts);
    const workload = workloadOf(opts.workload as string | undefined);
    const body = await gatedText(text, sendOpts.fromFile);
    const path = choosePath(body, mode);
    if (typeof path !== 'string') throw new UsageError(`--light: ${path.error}`);
    await checkPeerFiles(file, config, peerName);
    const { client, connection, settings } = await connect();
    let code: number = EXIT.failed;
    try {
      const res = await runSend({
        client,
        settings,
        taskQueue: config.controller.taskQueue,
        peer: peerName,
        text: body,
        mode,
        queue: !!opts.queue,
        workload,
        json: !!opts.json,
      });
      code = res.exitCode;
    } catch (err) {
      // The start itself failed (Temporal refused it, the connection dropped): never a silent 0.
      const { TextRefused } = await import('../client/send.js');
      code = err instanceof UsageError || err instanceof TextRefused ? EXIT.usage : EXIT.failed;
      reportError(err, `peer-comms: the send to ${peerName} did not start`);
    } finally {
      // Exit as soon as the answer is out; closing gRPC channels politely costs ~0.1 s.
      await flushed(process.stdout);
      await flushed(process.stderr);
      void connection.close();
      process.exit(code);
    }
  });

program
  .command('command')
  .description("type one slash command (/compact, /clear, … from the peer's allow-list) into a peer's agent, durably")
  .argument('<peer>', 'peer name from the config')
  .argument('<command...>', 'the slash command and its words, e.g. /compact keep the test results')
  .option('--json', 'print one JSON object for scripts')
  .action(async (peerName: string, words: string[], opts: { json?: boolean }) => {
    const { commandLine, runCommand } = await import('./command-command.js');
    const { peerOrUsage, checkPeerFiles } = await import('./input-checks.js');
    const { file, config } = await loadCliConfig();
    peerOrUsage(file, config, peerName);
    const cfg = config.peers[peerName];
    if (!cfg) throw new UsageError(`unknown peer "${peerName}"`);
    const command = commandLine(words, peerName, cfg);
    await checkPeerFiles(file, config, peerName);
    const { client, connection, settings } = await connect();
    let code: number = EXIT.failed;
    try {
      code = await runCommand({
        client,
        settings,
        taskQueue: config.controller.taskQueue,
        peer: peerName,
        command,
        json: !!opts.json,
      });
    } catch (err) {
      reportError(err, `peer-comms: ${command} on ${peerName} did not start`);
    } finally {
      await flushed(process.stdout);
      await flushed(process.stderr);
      void connection.close();
      process.exit(code);
    }
  });

program
  .command('worker')
  .description('run the controller worker (serves the "peer-comms" task queue), or with --peer a peer worker')
  .option(
    '--peer <name>',
    'run on the peer itself: serve "peer-comms@<name>" over local tmux (no SSH) and watch its inbox',
  )
  .option('--inbox-interval <duration>', 'peer worker: how often the inbox folder is looked at (0 = off)', '2s')
  .action(async (opts: { peer?: string; inboxInterval: string }) => {
    const { connectWorker } = await import('../temporal/worker-connection.js');
    const { ensureSearchAttributes } = await import('../temporal/search-attributes.js');
    const { installRuntime } = await import('../temporal/runtime.js');
    const { parseDuration } = await import('../config/duration.js');
    installRuntime();
    const { file, config } = await loadCliConfig();
    // Windows cannot serve via: local peers (no tmux): say so before connecting to anything.
    if (opts.peer === undefined) (await import('./dev-preconditions.js')).refuseLocalPeersOnWindows(config, file);
    let inboxIntervalMs: number;
    try {
      inboxIntervalMs = parseDuration(opts.inboxInterval);
    } catch (err) {
      throw new UsageError(`--inbox-interval: ${(err as Error).message}`);
    }
    if (opts.peer !== undefined) getPeerOrUsage(config, opts.peer);
    else {
      // Key passphrases are asked now, before anything starts, not when an activity first connects.
      const { unlockKeys } = await import('./key-unlock.js');
      await unlockKeys(file, config, Object.keys(config.peers));
    }
    const { client, connection, settings } = await connect();
    await ensureSearchAttributes(connection, settings.namespace).catch((err: unknown) => {
      process.stderr.write(`warning: could not register search attributes Peer/Outcome: ${String(err)}\n`);
    });
    const { connection: nativeConnection } = await connectWorker();
    const ac = new AbortController();
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
    try {
      if (opts.peer !== undefined) {
        const { runPeerWorker } = await import('../workers/peer.js');
        const { peerTaskQueue } = await import('../contracts/route.js');
        process.stderr.write(
          `peer worker: ${opts.peer} from ${file}; task queue "${peerTaskQueue(config.controller.taskQueue, opts.peer)}" on ${settings.address}/${settings.namespace}\n`,
        );
        await runPeerWorker(
          {
            config,
            peer: opts.peer,
            connection: nativeConnection,
            client,
            namespace: settings.namespace,
            inboxIntervalMs,
            log: (line) => process.stderr.write(`${line}\n`),
          },
          ac.signal,
        );
      } else {
        const { runControllerWorker } = await import('../workers/controller.js');
        process.stderr.write(
          `worker: ${Object.keys(config.peers).length} peer(s) from ${file}; task queue "${config.controller.taskQueue}" on ${settings.address}/${settings.namespace}\n`,
        );
        await runControllerWorker(
          { config, connection: nativeConnection, client, namespace: settings.namespace },
          ac.signal,
        );
      }
    } finally {
      await nativeConnection.close();
      await connection.close();
    }
  });

program
  .command('dev')
  .description('start the Temporal dev server (SQLite file, Web UI) and the controller worker')
  .addOption(new Option('--port <port>', 'frontend port (UI on port+1000)').default('7233'))
  .option('--codec-port <port>', 'encryption at rest on: the codec server the Web UI decrypts through', '8888')
  .option('--no-download', 'never download the Temporal CLI (also PEER_COMMS_TEMPORAL_DOWNLOAD=never)')
  .action(async (opts: { port: string; codecPort: string; download: boolean }) => {
    const { userStateDir } = await import('../config/paths.js');
    const { startDevServer } = await import('../temporal/dev-server.js');
    const { codecFromEnv } = await import('../temporal/codec.js');
    const { refuseLocalPeersOnWindows, temporalCliFor } = await import('./dev-preconditions.js');
    const { file, config } = await loadCliConfig();
    // Before anything starts: what cannot work here, then the Temporal CLI (found or downloaded).
    refuseLocalPeersOnWindows(config, file);
    const codec = await codecFromEnv(config);
    const bin = await temporalCliFor(Number(opts.port), {
      download: opts.download,
      log: (l) => process.stderr.write(`${l}\n`),
    });
    const ui = Number(opts.port) + 1000;
    const codecServer = codec
      ? await (
          await import('./codec-command.js')
        ).startCodecServer({
          codec,
          port: Number(opts.codecPort),
          corsOrigins: [`http://127.0.0.1:${ui}`, `http://localhost:${ui}`],
        })
      : undefined;
    const dev = await startDevServer({
      stateDir: join(userStateDir(), 'dev-server'),
      port: Number(opts.port),
      uiCodecEndpoint: codecServer?.url,
      bin,
    });
    process.env.TEMPORAL_ADDRESS = dev.address;
    process.stderr.write(
      `Temporal dev server on ${dev.address}\nWeb UI: ${dev.uiUrl}\n${codecServer ? `Codec server: ${codecServer.url} (payloads are encrypted; the Web UI decrypts through it${dev.startedHere ? '' : ' once you set it under Settings → Codec Server'})\n` : ''}(Ctrl-C stops the worker and the server)\n`,
    );
    try {
      await program.parseAsync(['node', 'peer-comms', ...globalArgs(), 'worker']);
    } finally {
      await dev.stop();
      await codecServer?.close();
    }
  });

program
  .command('demo')
  .description('the embedded default: dev server + a local peer running a stand-in agent + one send')
  .addOption(new Option('--port <port>', 'Temporal frontend port').default('7233'))
  .option('--text <text>', 'the directive to send')
  .option('--json', 'print one JSON object')
  .option('--no-download', 'never download the Temporal CLI (also PEER_COMMS_TEMPORAL_DOWNLOAD=never)')
  .action(async (opts: { port: string; text?: string; json?: boolean; download: boolean }) => {
    const { demo } = await import('./demo.js');
    process.exitCode = await demo({
      port: Number(opts.port),
      text: opts.text,
      json: !!opts.json,
      download: opts.download,
    });
    // Done: exit now rather than wait on gRPC channels still closing (the dev server keeps running).
    await flushed(process.stdout);
    await flushed(process.stderr);
    process.exit();
  });

program
  .command('codec-server')
  .description('serve /encode and /decode so the Web UI shows encrypted payloads to holders of the keys')
  .option('--port <port>', 'port', '8888')
  .option('--host <host>', 'address to listen on (anyone who can reach it can decrypt)', '127.0.0.1')
  .option(
    '--cors-origin <origins>',
    'the Web UI origin(s), comma-separated (default: http://127.0.0.1:8233, http://localhost:8233)',
  )
  .action(async (opts: { port: string; host: string; corsOrigin?: string }) => {
    const { codecServerNow } = await import('./codec-command.js');
    const { config } = await loadCliConfig().catch((err: unknown) => {
      // keys from the environment need no peers file
      if (process.env.PEER_COMMS_CODEC_KEYS || process.env.PEER_COMMS_CODEC_KEY_FILE) return { config: undefined };
      throw err;
    });
    const ac = new AbortController();
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
    process.exitCode = await codecServerNow(config, opts, ac.signal, (l) => process.stderr.write(`${l}\n`));
  });

const job = program.command('job').description('long-running peer jobs: phone-homes, resolutions, completion');

async function withJobContext(fn: (ctx: JobContext) => Promise<number>): Promise<void> {
  const { config } = await loadCliConfig();
  const { client, connection, settings } = await connect();
  try {
    process.exitCode = await fn({
      client,
      settings,
      taskQueue: config.controller.taskQueue,
      out: (l) => process.stdout.write(`${l}\n`),
      err: (l) => process.stderr.write(`${l}\n`),
    });
  } finally {
    await connection.close();
  }
}

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
      const { prepareJobStart, jobStart } = await import('./job-command.js');
      const { checkPeerFiles } = await import('./input-checks.js');
      const { file: configFile, config } = await loadCliConfig();
      getPeerOrUsage(config, peerName);
      // the directive is read, gated and checked before connecting: exit 2 with nothing started
      const prepared = await prepareJobStart(peerName, file, { ...opts, requestedBy: whoAmI() });
      if (typeof prepared === 'number') {
        process.exitCode = prepared;
        return;
      }
      await checkPeerFiles(configFile, config, peerName);
      await withJobContext((ctx) => jobStart(ctx, prepared, opts));
    },
  );

job
  .command('list')
  .description('list jobs')
  .option('--awaiting', 'only jobs awaiting a resolution')
  .option('--json', 'print JSON')
  .action(async (opts: { awaiting?: boolean; json?: boolean }) => {
    const { jobList } = await import('./job-command.js');
    await withJobContext((ctx) => jobList(ctx, opts));
  });

job
  .command('show')
  .description('a job’s state, its phone-home text and the peer’s recommendation, resolutions so far')
  .argument('<job-id>')
  .option('--json', 'print JSON')
  .action(async (jobId: string, opts: { json?: boolean }) => {
    const { jobShow } = await import('./job-command.js');
    await withJobContext((ctx) => jobShow(ctx, jobId, opts));
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
    const { jobResolve } = await import('./job-command.js');
    await withJobContext((ctx) => jobResolve(ctx, jobId, { ...opts, by: whoAmI() }));
  });

job
  .command('complete')
  .description('tell a job its work is done: it syncs git (fetch, merge --ff-only) and ends')
  .argument('<job-id>')
  .option('-n, --note <text>', 'a note kept in the job status')
  .action(async (jobId: string, opts: { note?: string }) => {
    const { jobComplete } = await import('./job-command.js');
    await withJobContext((ctx) => jobComplete(ctx, jobId, { ...opts, by: whoAmI() }));
  });

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
    const { fleetSchedule, scheduleRequest } = await import('./fleet-command.js');
    const request = scheduleRequest(opts);
    await withJobContext((ctx) => fleetSchedule(ctx, request));
  });

fleet
  .command('check')
  .description('check every peer now (or those named): preflight, credentials pushed when due; print the table')
  .argument('[peers...]', 'peer names (default: all)')
  .option('--json', 'print JSON')
  .action(async (peers: string[], opts: { json?: boolean }) => {
    const { fleetCheck } = await import('./fleet-command.js');
    const { config } = await loadCliConfig();
    for (const p of peers) getPeerOrUsage(config, p);
    await withJobContext((ctx) => fleetCheck(ctx, peers, opts));
  });

fleet
  .command('status')
  .description('the last fleet report: reachability, sessions, tokens, GPUs, disk, load per peer')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const { fleetStatus } = await import('./fleet-command.js');
    await withJobContext((ctx) => fleetStatus(ctx, opts));
  });

program
  .command('lint')
  .description('check a directive file for the seven parts every directive must contain')
  .argument('<file>', 'the directive (Markdown: headings or YAML front matter)')
  .option('--json', 'print the report as JSON')
  .action(async (file: string, opts: { json?: boolean }) => {
    const { lintFile } = await import('./lint-command.js');
    process.exitCode = await lintFile(file, !!opts.json);
  });

program
  .command('peers')
  .description('list the configured peers (and validate the config)')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const { file, config } = await loadCliConfig();
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ file, peers: config.peers }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${file}: ${Object.keys(config.peers).length} peer(s), config valid\n`);
    for (const [name, p] of Object.entries(config.peers)) {
      const where =
        p.via === 'local'
          ? 'this machine'
          : p.via === 'worker'
            ? `worker ${config.controller.taskQueue}@${name}`
            : `${p.user}@${p.host}:${p.port}`;
      const policy = [
        p.rental ? `rental (load ≤ ${p.rental.maxLoadAverage})` : '',
        p.gpu.powerLimitW ? `GPU ${p.gpu.powerLimitW} W` : '',
      ]
        .filter(Boolean)
        .join(', ');
      process.stdout.write(
        `  ${name.padEnd(16)} ${where.padEnd(32)} tmux ${p.tmux.target}  recovery ${p.recovery.method}${policy ? `  ${policy}` : ''}\n`,
      );
    }
  });

program
  .command('preflight')
  .description('check a peer: reachability, tmux session, token expiry, GPUs, disk, load')
  .argument('<peer>')
  .option('--json', 'print JSON')
  .action(async (peerName: string, opts: { json?: boolean }) => {
    const { preflightNow } = await import('./preflight-command.js');
    const { unlockKeys } = await import('./key-unlock.js');
    const { file, config } = await loadCliConfig();
    getPeerOrUsage(config, peerName);
    await unlockKeys(file, config, [peerName]);
    process.exitCode = await preflightNow(config, peerName, !!opts.json);
  });

program
  .command('agent-settings')
  .description(
    "the receipt hook for a peer's agent: its settings file, event log and the --settings flag for your own unit or tmux command",
  )
  .argument('<peer>')
  .option('--install', 'write (or refresh) the hook script and the settings file on the peer (0600)')
  .option('--json', 'print JSON')
  .action(async (peerName: string, opts: { install?: boolean; json?: boolean }) => {
    const { agentSettingsNow } = await import('./agent-settings-command.js');
    const { unlockKeys } = await import('./key-unlock.js');
    const { file, config } = await loadCliConfig();
    getPeerOrUsage(config, peerName);
    await unlockKeys(file, config, [peerName]);
    process.exitCode = await agentSettingsNow(config, peerName, { install: !!opts.install, json: !!opts.json });
  });

for (const [what, description] of [
  ['peek', "the last lines of the peer agent's pane and its screen state (idle, working, …)"],
  ['inbox', "the peer's inbox: phone-homes, DONE markers, resolved/"],
  ['log', "recent commits, branch and git status of the peer's working directory"],
] as const) {
  const cmd = program.command(what).description(`${description} (read-only)`).argument('<peer>');
  if (what === 'peek') cmd.option('-n, --lines <n>', 'how many lines from the end of the pane', '50');
  if (what === 'log') cmd.option('-n, --count <n>', 'how many commits', '10');
  cmd
    .option('--json', 'print JSON')
    .action(async (peerName: string, opts: { lines?: string; count?: string; json?: boolean }) => {
      const { readNow } = await import('./read-command.js');
      const { unlockKeys } = await import('./key-unlock.js');
      const { file, config } = await loadCliConfig();
      getPeerOrUsage(config, peerName);
      // A worker peer is read through its worker: no key is used here.
      if (config.peers[peerName]?.via === 'ssh') await unlockKeys(file, config, [peerName]);
      process.exitCode = await readNow(
        config,
        { peer: peerName, what, n: opts.lines ?? opts.count, json: !!opts.json },
        {
          out: (l) => process.stdout.write(`${l}\n`),
          err: (l) => process.stderr.write(`${l}\n`),
          connect: async () => {
            const { client, connection } = await connect();
            return { client, close: () => connection.close() };
          },
        },
      );
    });
}

function globalArgs(): string[] {
  const c = configOpt();
  return c ? ['--config', c] : [];
}

function getPeerOrUsage(config: Parameters<typeof getPeer>[0], name: string): void {
  try {
    getPeer(config, name);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}${configFileRead ? ` in ${configFileRead}` : ''}`);
  }
}

program
  .parseAsync(process.argv)
  .then(async () => {
    await flushed(process.stdout);
  })
  .catch(async (err: unknown) => {
    let code: number = EXIT.failed;
    if (err instanceof CommanderError) {
      // commander printed the message (and the help) already; --help and --version exit 0
      code = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (err instanceof ConfigError) {
      if (!outputClosed(process.stderr)) process.stderr.write(`config: ${err.message}\n`);
      code = EXIT.usage;
    } else if (err instanceof Error && err.name === 'TextRefused') {
      // the input gate in startSend (the demo's --text): a usage error too
      reportError(err);
      code = EXIT.usage;
    } else if (err instanceof UsageError) {
      reportError(err);
      const hint = (err as { hint?: unknown }).hint;
      if (typeof hint === 'string' && !outputClosed(process.stderr)) process.stderr.write(`  hint: ${hint}\n`);
      code = EXIT.usage;
    } else {
      reportError(err);
    }
    await flushed(process.stdout);
    await flushed(process.stderr);
    process.exit(code);
  });
