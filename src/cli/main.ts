#!/usr/bin/env node
/**
 * peer-comms — send work to Claude Code agents in tmux sessions on peer machines, durably,
 * through Temporal. Run `peer-comms --help`.
 *
 * The table of contents: each command is one module under ./commands, registered here in the
 * order `--help` lists them. A command loads what it needs only when it runs (start-up speed).
 */
import { registerAgentSettings } from './commands/agent-settings';
import { registerCerts } from './commands/certs';
import { registerCodecServer } from './commands/codec-server';
import { registerCommand } from './commands/command';
import { registerCompletion } from './commands/completion';
import { registerDemo } from './commands/demo';
import { registerDev } from './commands/dev';
import { registerFleet } from './commands/fleet';
import { registerJob } from './commands/job';
import { registerLint } from './commands/lint';
import { registerPeers } from './commands/peers';
import { registerPreflight } from './commands/preflight';
import { registerReads } from './commands/read';
import { registerSend } from './commands/send';
import { registerTlsProxy } from './commands/tls-proxy';
import { registerWorker } from './commands/worker';
import { commandContext } from './context';
import { createProgram, runProgram } from './program';
import { installStdioGuards } from './stdio';

installStdioGuards();

const program = createProgram();
const ctx = commandContext(program);

registerSend(program, ctx); // send <peer> [text]
registerCommand(program, ctx); // command <peer> <command...>
registerWorker(program, ctx); // worker [--peer <name>]
registerDev(program, ctx); // dev
registerDemo(program, ctx); // demo
registerCodecServer(program, ctx); // codec-server
registerCerts(program, ctx); // certs
registerTlsProxy(program, ctx); // tls-proxy --listen <host:port>
registerJob(program, ctx); // job start|list|show|resolve|complete
registerFleet(program, ctx); // fleet schedule|check|status
registerLint(program); // lint <file>
registerPeers(program, ctx); // peers
registerPreflight(program, ctx); // preflight <peer>
registerAgentSettings(program, ctx); // agent-settings <peer>
registerReads(program, ctx); // peek|inbox|log <peer>
registerCompletion(program); // completion <shell> (and the hidden __complete it calls)

runProgram(program, process.argv);
