/**
 * `peer-comms command <peer> </command> [words…]`: one slash command typed into the peer's agent,
 * as the durable agentCommand workflow (pane lock, look, type, C-m, wait until done). Only the
 * peer's allow-list (`commands.allowed`, default /clear and /compact) is typed.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { describeFailure } from '../client/send';
import { commandName, commandShapeProblem, type CommandResult } from '../contracts/command';
import type { PeerConfig } from '../config/schema';
import { PEER_ATTR } from '../contracts/search-attributes';
import { workflowUrl, type TemporalSettings } from '../temporal/connection';
import type { agentCommand } from '../workflows/agent-command';
import { EXIT, UsageError } from './exit';

/** The command line from the CLI words, checked before anything starts (exit 2). */
export function commandLine(words: readonly string[], peer: string, cfg: PeerConfig): string {
  const command = words.join(' ').trim();
  const shape = commandShapeProblem(command);
  if (shape) throw new UsageError(shape);
  const allowed = cfg.commands.allowed;
  if (!allowed.includes(commandName(command))) {
    throw new UsageError(
      `${commandName(command)} is not on ${peer}'s command allow-list (${allowed.join(', ')}); add it under peers.${peer}.commands.allowed in the peers file`,
    );
  }
  return command;
}

export async function runCommand(args: {
  client: Client;
  settings: TemporalSettings;
  taskQueue: string;
  peer: string;
  command: string;
  json: boolean;
}): Promise<number> {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '-');
  const workflowId = `command-${args.peer}-${t}-${randomBytes(3).toString('hex')}`;
  const url = workflowUrl(args.settings, workflowId);
  const handle = await args.client.workflow.start<typeof agentCommand>('agentCommand', {
    workflowId,
    taskQueue: args.taskQueue,
    args: [{ peer: args.peer, command: args.command }],
    typedSearchAttributes: [{ key: PEER_ATTR, value: args.peer }],
    staticSummary: `${args.command} on ${args.peer}`,
    workflowExecutionTimeout: '1 day',
  });
  if (!args.json) process.stderr.write(`command ${workflowId}\n  ${url}\n`);
  try {
    const r: CommandResult = await handle.result();
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ ok: true, outcome: r.outcome, workflowId, url, result: r }, null, 2)}\n`,
      );
    } else {
      process.stdout.write(
        `done: ${args.command} on ${args.peer} (${Math.round(r.elapsedMs / 100) / 10} s); the screen after it (${r.screen.state}):\n${r.screen.tail
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}\n`,
      );
    }
    return EXIT.ok;
  } catch (err) {
    const f = describeFailure(err);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ok: false, outcome: 'failed', workflowId, url, error: f }, null, 2)}\n`);
    } else {
      process.stderr.write(`failed [${f.type}]: ${f.message}\n`);
    }
    return EXIT.failed;
  }
}
