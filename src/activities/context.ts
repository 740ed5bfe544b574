/**
 * What every activity shares: the dependencies a worker injects, the lookup from a peer
 * name to its settings and shell, and the translation of low-level errors into typed,
 * readable ApplicationFailures (which peer, which step, what was found, what to do).
 */
import { ApplicationFailure } from '@temporalio/common';
import { ControllerPathError, expandHome } from '../config/paths';
import type { Config, PeerConfig } from '../config/schema';
import { ErrorType, NON_RETRYABLE, type ErrorTypeName } from '../contracts/errors';
import {
  HostKeyRejected,
  PeerAuthFailed,
  PeerCommandTimeout,
  PeerUnreachable,
  type ExecOptions,
  type ExecResult,
  type PeerShell,
  shJoin,
} from '../peer-access/shell';
import {
  allowScript,
  commandProblem,
  composedProblem,
  showCommand,
  type CommandPolicy,
  type ComposedScript,
} from '../guards/commands';
import { parseTarget, type TmuxSocket } from '../tmux/commands';

/** What activities that run where the peer is reached need (the controller, or the peer's own worker). */
export interface PeerDeps {
  config: Config;
  /** One shell per peer (SSH pool or local). */
  shells: { get(peer: string): Promise<PeerShell> };
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What the controller-only activities need besides: the controller's files, audit log, Temporal client, git. */
export interface ControllerDeps extends PeerDeps {
  /** Reads a file on the controller (the controller's own credentials). */
  readControllerFile(path: string): Promise<Buffer>;
  /** Appends one line to the audit log on the controller. */
  appendAudit(line: string): Promise<void>;
  /** Asks the pane-lock workflow for the lock on behalf of a send (needs a Temporal client). */
  requestPaneLock(lockWorkflowId: string, request: { requester: string; leaseMs: number }): Promise<void>;
  /** Lets the pane go on behalf of a send (a release signal to the lock workflow). */
  releasePaneLock(lockWorkflowId: string, requester: string): Promise<void>;
  /** The workers that polled a task queue for activities lately (needs a Temporal client). */
  queuePollers(taskQueue: string): Promise<{ identity: string; lastAccessAt: number | null }[]>;
  /** Runs git on the controller (gitSync): the real `git` (execGit), or a fake in tests. */
  runGit: GitRunner;
}

export interface GitRunResult {
  /** Exit status (git ran and ended). */
  code: number;
  stdout: string;
  stderr: string;
}

/** `git <args>` in `cwd`; rejects when git could not run at all (missing, deadline, aborted). */
export type GitRunner = (
  args: readonly string[],
  opts: { cwd: string; signal?: AbortSignal; timeoutMs?: number },
) => Promise<GitRunResult>;

export interface PeerContext {
  name: string;
  cfg: PeerConfig;
  shell: PeerShell;
  sock: TmuxSocket;
  /** session:window.pane */
  target: string;
  session: string;
}

export async function peerContext(deps: PeerDeps, name: string): Promise<PeerContext> {
  const cfg = deps.config.peers[name];
  if (!cfg) {
    throw fail(
      ErrorType.InvalidConfig,
      `unknown peer "${name}" (configured: ${Object.keys(deps.config.peers).join(', ')})`,
    );
  }
  const shell = await deps.shells.get(name).catch((err: unknown) => {
    throw translate(name, 'connect', err);
  });
  const t = parseTarget(cfg.tmux.target);
  const sock: TmuxSocket = cfg.tmux.socketPath ? { path: cfg.tmux.socketPath } : { name: cfg.tmux.socket };
  return { name, cfg, shell, sock, target: t.full, session: t.session };
}

export function fail(type: ErrorTypeName, message: string, details?: unknown): ApplicationFailure {
  const nonRetryable = NON_RETRYABLE.includes(type);
  return ApplicationFailure.create({ type, message, nonRetryable, details: details === undefined ? [] : [details] });
}

/**
 * A controller-side path from the config (`field` names it), expanded; a variable in it that is
 * not set is a non-retryable InvalidConfig naming the field and the variable.
 */
export function controllerPath(p: string, field: string): string {
  try {
    return expandHome(p);
  } catch (err) {
    if (err instanceof ControllerPathError) throw fail(ErrorType.InvalidConfig, `${field}: ${err.message}`);
    throw err;
  }
}

/** Turns a low-level error into a typed failure naming the peer and the step. */
export function translate(peer: string, step: string, err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  // privateKey / knownHosts with a variable that is not set (expanded when the peer is connected)
  if (err instanceof ControllerPathError) return fail(ErrorType.InvalidConfig, `${peer}: ${step}: ${err.message}`);
  if (err instanceof HostKeyRejected)
    return fail(ErrorType.UnknownHostKey, err.message, { fingerprint: err.fingerprint });
  if (err instanceof PeerAuthFailed) return fail(ErrorType.AuthFailed, err.message);
  if (err instanceof PeerUnreachable) {
    return fail(
      ErrorType.PeerUnreachable,
      `${step}: ${err.message} — is the peer up and its sshd listening? Check host and port in the peers file`,
    );
  }
  if (err instanceof PeerCommandTimeout) return fail(ErrorType.PeerCommandFailed, `${step}: ${err.message}`);
  const message = err instanceof Error ? err.message : String(err);
  return fail(ErrorType.PeerCommandFailed, `${peer}: ${step}: ${message}`);
}

/** Runs a command on the peer; a non-zero exit becomes a readable, retryable failure. */
export async function run(
  ctx: PeerContext,
  step: string,
  argv: readonly string[],
  opts?: ExecOptions,
): Promise<ExecResult> {
  const res = await tryRun(ctx, step, argv, opts);
  if (res.code !== 0) {
    const why = (res.stderr || res.stdout).trim().split('\n').slice(-3).join(' | ') || `exit status ${res.code}`;
    throw fail(ErrorType.PeerCommandFailed, `${ctx.name}: ${step}: \`${argv.slice(0, 4).join(' ')}\` failed: ${why}`);
  }
  return res;
}

/** Runs a command on the peer and returns its result whatever the exit status. */
export async function tryRun(
  ctx: PeerContext,
  step: string,
  argv: readonly string[],
  opts?: ExecOptions,
): Promise<ExecResult> {
  const why = commandProblem(argv, policyOf(ctx));
  if (why) throw refusal(ctx, step, argv, why);
  return execOn(ctx, step, argv, opts);
}

/**
 * Runs a script composed of argvs in one round trip (`sh -c`), whatever the exit status. Each
 * argv is checked against the allow-list as it is; only then is the script's text made.
 */
export async function tryRunScript(
  ctx: PeerContext,
  step: string,
  script: ComposedScript,
  opts?: ExecOptions,
): Promise<ExecResult> {
  const argv = ['sh', '-c', scriptText(script)];
  const why = composedProblem(script, policyOf(ctx));
  if (why) throw refusal(ctx, step, argv, why);
  return execOn(ctx, step, argv, opts);
}

/** The text of a composed script: each argv quoted (shJoin), `&&` within a chain, `;` between chains. */
export function scriptText(script: ComposedScript): string {
  return script
    .map((chain) =>
      [
        ...chain.commands.map((c) => (c.quiet ? `${shJoin(c.argv)} >/dev/null 2>&1` : shJoin(c.argv))),
        ...(chain.exit === undefined ? [] : [`exit ${chain.exit}`]),
      ].join(' && '),
    )
    .join('; ');
}

function policyOf(ctx: PeerContext): CommandPolicy {
  return { peer: ctx.name, rental: !!ctx.cfg.rental, stagingDir: ctx.cfg.stagingDir };
}

function refusal(ctx: PeerContext, step: string, argv: readonly string[], why: string): ApplicationFailure {
  return fail(
    ErrorType.PolicyRefused,
    `${ctx.name}${ctx.cfg.rental ? ' (a rental peer)' : ''}: refused to run \`${showCommand(argv)}\` (${step}): ${why}. peer-comms sends a peer only the commands on its allow-list (src/guards/commands.ts)`,
  );
}

async function execOn(
  ctx: PeerContext,
  step: string,
  argv: readonly string[],
  opts?: ExecOptions,
): Promise<ExecResult> {
  try {
    return await ctx.shell.exec(argv, opts);
  } catch (err) {
    throw translate(ctx.name, step, err);
  }
}

const homes = new WeakMap<PeerShell, string>();
const HOME_SCRIPT = allowScript({ name: 'home', script: 'printf %s "$HOME"' });

/** The peer user's home directory (asked once per connection). */
export async function peerHome(ctx: PeerContext): Promise<string> {
  const known = homes.get(ctx.shell);
  if (known) return known;
  const res = await run(ctx, 'home', ['sh', '-c', HOME_SCRIPT]);
  const home = res.stdout.trim();
  if (!home.startsWith('/')) throw fail(ErrorType.PeerCommandFailed, `${ctx.name}: could not read $HOME on the peer`);
  homes.set(ctx.shell, home);
  return home;
}

/** Expands a peer path that starts with `~/` to an absolute path on the peer. */
export async function absolutePeerPath(ctx: PeerContext, p: string): Promise<string> {
  if (p === '~/' || p === '~') return peerHome(ctx);
  if (p.startsWith('~/')) return `${await peerHome(ctx)}/${p.slice(2)}`;
  return p;
}
