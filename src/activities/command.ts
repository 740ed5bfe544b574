/**
 * Slash commands: typed (never pasted) into the agent's input box, then C-m as its own step,
 * then a wait until the agent took it and is idle again. Only commands on the peer's allow-list
 * (`commands.allowed`) are typed; a dialog, someone's text in the box or a busy agent stop it
 * before anything is typed.
 */
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { commandName, commandShapeProblem } from '../contracts/command';
import { ErrorType } from '../contracts/errors';
import { sendKey, sendKeysLiteral } from '../tmux/commands';
import { fail, peerContext, run, type PeerDeps } from './context';
import { readScreen } from './screen';
import type { SubmitCommandInput, SubmitCommandResult } from '../contracts/command';

export type { SubmitCommandInput, SubmitCommandResult };

export function createCommandActivities(deps: PeerDeps) {
  return {
    typeCommand: (input: { peer: string; command: string }): Promise<{ typed: boolean; state: string }> =>
      typeCommand(deps, input),
    submitCommand: (input: SubmitCommandInput): Promise<SubmitCommandResult> => submitCommand(deps, input),
  };
}

/** Types the command into an idle agent's empty box; C-m is the next step. Idempotent: a retry that finds it typed does nothing. */
async function typeCommand(
  deps: PeerDeps,
  input: { peer: string; command: string },
): Promise<{ typed: boolean; state: string }> {
  const ctx = await peerContext(deps, input.peer);
  const shape = commandShapeProblem(input.command);
  if (shape) throw fail(ErrorType.InvalidInput, `${ctx.name}: ${shape}`);
  const allowed = ctx.cfg.commands.allowed;
  if (!allowed.includes(commandName(input.command))) {
    throw fail(
      ErrorType.PolicyRefused,
      `${ctx.name}: ${commandName(input.command)} is not on this peer's command allow-list (${allowed.join(', ')}); add it under commands.allowed in the peers file`,
    );
  }
  const s = await readScreen(ctx, { leaveCopyMode: true });
  if (s.input === input.command) return { typed: false, state: s.state };
  if (s.state.startsWith('dialog:')) {
    throw fail(
      ErrorType.DialogOnScreen,
      `${ctx.name}: the agent shows a ${s.state.slice(7)} dialog: "${s.evidence}"; nothing was typed`,
    );
  }
  if (s.input) {
    throw fail(
      ErrorType.InputOccupied,
      `${ctx.name}: the agent's input box holds text ("${s.input.slice(0, 80)}"); nothing was typed`,
    );
  }
  if (s.busy || s.state === 'working') {
    throw fail(
      ErrorType.BusyTimeout,
      `${ctx.name}: the agent is busy (${s.evidence}); a command waits for an idle agent`,
    );
  }
  await run(ctx, 'type the command', sendKeysLiteral(ctx.sock, ctx.target, input.command));
  return { typed: true, state: s.state };
}

/** C-m once the box holds exactly the command, then wait until it left the box and the agent is idle again. */
async function submitCommand(deps: PeerDeps, input: SubmitCommandInput): Promise<SubmitCommandResult> {
  const ctx = await peerContext(deps, input.peer);
  const signal = cancellationSignal();
  const started = deps.now();
  const timeoutMs = input.timeoutMs ?? ctx.cfg.commands.timeout;
  await deps.sleep(input.settleMs ?? 200, signal);
  let s = await readScreen(ctx);
  let pressed = false;
  if (s.input === input.command) {
    await run(ctx, 'C-m', sendKey(ctx.sock, ctx.target, 'C-m'));
    pressed = true;
  }
  let left = false;
  for (;;) {
    await deps.sleep(250, signal);
    s = await readScreen(ctx);
    heartbeat({ state: s.state });
    if (s.input !== input.command) left = true;
    if (s.state.startsWith('dialog:')) {
      throw fail(
        ErrorType.DialogOnScreen,
        `${ctx.name}: ${input.command} opened a ${s.state.slice(7)} dialog: "${s.evidence}"`,
        {
          screen: s.tail,
        },
      );
    }
    if (left && !s.busy && s.state !== 'working' && !s.input) {
      if (s.state.startsWith('error:') && !s.evidence.includes('resend')) {
        throw fail(ErrorType.AgentError, `${ctx.name}: ${input.command} ended in ${s.state}: "${s.evidence}"`, {
          screen: s.tail,
        });
      }
      return { state: s.state, evidence: s.evidence, tail: s.tail, pressed };
    }
    if (deps.now() - started > timeoutMs) {
      throw fail(
        ErrorType.AckTimeout,
        `${ctx.name}: ${input.command} did not finish within ${Math.round(timeoutMs / 1000)} s (screen: ${s.state}${s.input ? `, the box holds "${s.input.slice(0, 60)}"` : ''}); last lines:\n${s.tail}`,
      );
    }
  }
}
