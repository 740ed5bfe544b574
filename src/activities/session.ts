/**
 * recoverSession: bring back a dead tmux session by the peer's configured method, then wait
 * until the agent shows its idle prompt. inspectScreen: one classified look at the pane.
 */
import { heartbeat, cancellationSignal } from '@temporalio/activity';
import type { PeerConfig } from '../config/schema';
import { ErrorType } from '../contracts/errors';
import { hasSession, killSession, newSession } from '../tmux/commands';
import { absolutePeerPath, fail, peerContext, run, tryRun, type PeerContext, type PeerDeps } from './context';
import { readScreen, type ScreenReading } from './screen';
import { installReceiptHook, recordCursor } from './receipts';
import { shQuote } from '../peer-access/shell';
import type { RecoverInput, RecoverResult, ScreenSummary } from '../contracts/session';

export type { RecoverInput, RecoverResult, ScreenSummary };

/**
 * The tmux command that starts the agent: the user's command with the receipt hook's settings
 * (`{settings}` replaced, or `--settings <file>` appended) and `--continue` on a restart (`{continue}`
 * replaced, or appended), so a command that wraps claude can say where the flags go.
 */
export function agentStartCommand(
  command: string,
  opts: { settings: string | null; continueConversation: boolean },
): string {
  let cmd = command;
  if (opts.settings) {
    const flag = `--settings ${shQuote(opts.settings)}`;
    cmd = cmd.includes('{settings}') ? cmd.split('{settings}').join(flag) : `${cmd} ${flag}`;
  } else {
    cmd = cmd.split('{settings}').join('');
  }
  const cont = opts.continueConversation ? '--continue' : '';
  if (cmd.includes('{continue}')) return cmd.split('{continue}').join(cont);
  return cont ? `${cmd} ${cont}` : cmd;
}

export function summarize(s: ScreenReading): ScreenSummary {
  return {
    state: s.state,
    input: s.input === null ? null : s.input.slice(0, 200),
    busy: s.busy,
    queued: s.queued,
    evidence: s.evidence,
    turnsDone: s.turnsDone,
    promptEchoes: s.promptEchoes,
    tail: s.tail,
    leftCopyMode: s.leftCopyMode,
  };
}

/** A recovery method that can bring the session back. */
type Recovery = Exclude<PeerConfig['recovery'], { method: 'none' }>;

export function createSessionActivities(deps: PeerDeps) {
  return {
    recoverSession: (input: RecoverInput): Promise<RecoverResult> => recoverSession(deps, input),
    inspectScreen: (input: { peer: string }): Promise<ScreenSummary> => inspectScreen(deps, input),
    readLoad: (input: { peer: string }): Promise<{ load1: number | null; raw: string }> => readLoad(deps, input),
  };
}

async function recoverSession(deps: PeerDeps, input: RecoverInput): Promise<RecoverResult> {
  const ctx = await peerContext(deps, input.peer);
  const rec = ctx.cfg.recovery;
  const started = deps.now();
  const alive = (await tryRun(ctx, 'has-session', hasSession(ctx.sock, ctx.session))).code === 0;
  if (alive && !input.restart) {
    return { method: 'already-alive', waitedMs: 0, state: 'alive' };
  }
  if (rec.method === 'none') {
    throw fail(
      ErrorType.SessionRecoveryFailed,
      alive
        ? `${ctx.name}: the agent in tmux session "${ctx.session}" must restart to read fresh credentials, but the peer has no recovery method; restart it by hand, or set recovery (systemd unit or tmux command) in the peers file`
        : `${ctx.name}: tmux session "${ctx.session}" is gone and the peer has no recovery method; set recovery (systemd unit or tmux command) in the peers file, or start the session by hand`,
    );
  }
  if (alive && rec.method === 'tmux') await killForRestart(ctx);
  await startAgent(ctx, rec, alive && !!input.continueConversation);
  const last = await waitUntilReady(deps, ctx, rec, started + rec.readyTimeout, alive);
  return {
    method: rec.method,
    waitedMs: deps.now() - started,
    state: last.state,
    ...(alive ? { restarted: true } : {}),
  };
}

async function killForRestart(ctx: PeerContext): Promise<void> {
  const killed = await tryRun(ctx, 'kill-session', killSession(ctx.sock, ctx.session));
  if (killed.code !== 0 && !/can't find session|no server running/.test(killed.stderr)) {
    throw fail(
      ErrorType.PeerCommandFailed,
      `${ctx.name}: tmux kill-session for "${ctx.session}" failed: ${killed.stderr.trim() || `exit ${killed.code}`}`,
    );
  }
}

/** Starts the agent by the peer's method (systemd unit, or a tmux session running its command). */
async function startAgent(ctx: PeerContext, rec: Recovery, continueConversation: boolean): Promise<void> {
  // The agent's receipt hook, kept current each time peer-comms starts the agent (a systemd
  // unit names the same settings file in its ExecStart: `peer-comms agent-settings`).
  let hooks: string | null = null;
  if (rec.method === 'systemd' || rec.hooks) {
    const installed = await installReceiptHook(ctx);
    hooks = installed.settings;
  }
  if (rec.method === 'systemd') {
    await run(ctx, 'systemctl restart', ['systemctl', '--user', 'restart', rec.unit], { timeoutMs: 60_000 });
    return;
  }
  const cwd = await absolutePeerPath(ctx, ctx.cfg.workdir);
  const command = agentStartCommand(rec.command, {
    settings: hooks,
    continueConversation: continueConversation && rec.continueOnRestart,
  });
  const res = await tryRun(
    ctx,
    'new-session',
    newSession(ctx.sock, { session: ctx.session, width: rec.width, height: rec.height, cwd, command }),
  );
  // Another send may have recovered it a moment ago: that is success too.
  if (res.code !== 0 && !/duplicate session/.test(res.stderr)) {
    throw fail(
      ErrorType.PeerCommandFailed,
      `${ctx.name}: tmux new-session for "${ctx.session}" failed: ${res.stderr.trim() || `exit ${res.code}`}`,
    );
  }
}

/** Waits for the agent's idle prompt (the reference: "wait 6s, capture-pane to confirm"). */
async function waitUntilReady(
  deps: PeerDeps,
  ctx: PeerContext,
  rec: Recovery,
  deadline: number,
  restarted: boolean,
): Promise<ScreenReading> {
  const signal = cancellationSignal();
  let last: ScreenReading | undefined;
  for (;;) {
    const has = await tryRun(ctx, 'has-session', hasSession(ctx.sock, ctx.session));
    if (has.code === 0) {
      last = await readScreen(ctx);
      heartbeat({ state: last.state });
      // A restart with --continue shows the old conversation: its last turn's error (the
      // reason for the restart) stays on screen above an empty box, and that is ready too.
      if (last.state === 'idle' || (restarted && last.state.startsWith('error:') && last.input === '' && !last.busy))
        return last;
      if (last.state.startsWith('dialog:')) {
        throw fail(
          ErrorType.DialogOnScreen,
          `${ctx.name}: after restarting the session the agent shows a ${last.state.slice(7)} dialog: "${last.evidence}". Answer it on the peer (tmux attach), then send again`,
          { screen: last.tail },
        );
      }
    }
    if (deps.now() > deadline) {
      throw fail(
        ErrorType.SessionRecoveryFailed,
        `${ctx.name}: restarted session "${ctx.session}" (${rec.method}) but the agent's idle prompt did not show within ${rec.readyTimeout} ms; last screen: ${last ? `${last.state}\n${last.tail}` : 'session not up'}`,
      );
    }
    await deps.sleep(250, signal);
  }
}

/** One look at the screen, and where the agent's records stand (the cursor a send's receipt is looked for after). */
async function inspectScreen(deps: PeerDeps, input: { peer: string }): Promise<ScreenSummary> {
  const ctx = await peerContext(deps, input.peer);
  const screen = summarize(await readScreen(ctx, { leaveCopyMode: true }));
  const { cursor, sources } = await recordCursor(ctx);
  return { ...screen, cursor, sources };
}

/** The peer's 1-minute load average (rental peers wait while it is high). */
async function readLoad(deps: PeerDeps, input: { peer: string }): Promise<{ load1: number | null; raw: string }> {
  const ctx = await peerContext(deps, input.peer);
  const res = await run(ctx, 'read load average', ['cat', ctx.cfg.thresholds.loadAverageFile]);
  const raw = res.stdout.trim().slice(0, 100);
  const load1 = Number.parseFloat(raw.split(/\s+/)[0] ?? '');
  return { load1: Number.isFinite(load1) ? load1 : null, raw };
}
