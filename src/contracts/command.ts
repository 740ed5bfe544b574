/**
 * Contracts of the agentCommand workflow: one slash command (`/compact`, `/clear`, …) typed into
 * a peer's agent, durable like a send. A slash command is a feature of its own, never an accident
 * of a text: `send` refuses a text that would run as one (the input gate), and `command` takes
 * only the commands on the peer's allow-list. Plain JSON only.
 */

/** The slash commands a peer takes unless its config says otherwise (`commands.allowed`). */
export const DEFAULT_ALLOWED_COMMANDS: readonly string[] = ['/clear', '/compact'];

/** A command line: `/name` and, for commands that take them, words (no controls, one line). */
// eslint-disable-next-line no-control-regex
export const COMMAND_PATTERN = /^\/[a-z][a-z0-9-]{0,39}(?: [^\u0000-\u001f\u007f-\u009f]{1,500})?$/;

export interface AgentCommandInput {
  peer: string;
  /** `/compact` or `/compact keep the test results`. */
  command: string;
  requestedBy?: string;
}

/** What the agentCommand workflow's `commandProgress` query answers. */
export interface CommandProgress {
  peer: string;
  command: string;
  phase: string;
  waitingFor?: string;
  outcome?: 'done' | 'failed';
  error?: string;
}

export interface SubmitCommandInput {
  peer: string;
  command: string;
  /** Default: the peer's commands.timeout. */
  timeoutMs?: number;
  settleMs?: number;
}

export interface SubmitCommandResult {
  state: string;
  evidence: string;
  tail: string;
  pressed: boolean;
}

export type CommandStep = 'paneLock' | 'inspectScreen' | 'waitIdle' | 'type' | 'submit' | 'awaitDone';

export interface CommandResult {
  workflowId: string;
  peer: string;
  command: string;
  /** done: the agent took the command and is idle again. */
  outcome: 'done';
  /** The screen once the command finished: state and the last lines. */
  screen: { state: string; evidence: string; tail: string };
  elapsedMs: number;
}

/** Why a command line is refused before anything is typed, or undefined when its shape is fine. */
export function commandShapeProblem(command: unknown): string | undefined {
  if (typeof command !== 'string' || command.trim() === '') return 'no command given (e.g. /compact)';
  if (!command.startsWith('/')) return `a slash command starts with "/": ${JSON.stringify(command.slice(0, 40))}`;
  if (!COMMAND_PATTERN.test(command)) {
    return `${JSON.stringify(command.slice(0, 60))} is not a slash command line: /name in lower case, then at most one line of words without control characters`;
  }
  return undefined;
}

/** The command's name (`/compact` of `/compact keep x`). */
export function commandName(command: string): string {
  return command.split(' ')[0] ?? command;
}
