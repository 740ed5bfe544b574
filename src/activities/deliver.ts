/**
 * deliver, submit, cleanupDelivery — the paste-then-C-m ceremony, idempotent by construction.
 *
 * The text is loaded into a tmux buffer named after the delivery id, and a second, marker
 * buffer records that it was loaded. `paste-buffer -d` consumes the text buffer as it pastes,
 * so a retry (after a worker was killed at any instant) reads the state from tmux itself:
 *   marker absent            → (re)load the text, set the marker, paste
 *   marker set, buffer there → paste
 *   marker set, buffer gone  → it was pasted already: do nothing
 * Heavy path: the bytes travel as a 0600 file written over SFTP, are loaded into the buffer and
 * pasted (bracketed). Light path (one short line, no control characters): the text is typed with
 * `send-keys -l` in the same tmux-side step that sets the marker, so a retry never types it twice.
 * Either way the text never passes through a shell unquoted, nor through a heredoc.
 */
import { createHash } from 'node:crypto';
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { ErrorType } from '../contracts/errors';
import {
  deleteBuffer,
  loadBufferFromFile,
  pasteBuffer,
  sendKeysLiteral,
  sendKey,
  setBuffer,
  showBuffer,
  type TmuxSocket,
} from '../tmux/commands';
import type { ComposedScript } from '../guards/commands';
import { canonicalSha256, judgeTurn } from '../receipts/records';
import { readRecordsSince } from './receipts';
import {
  absolutePeerPath,
  fail,
  peerContext,
  run,
  translate,
  tryRun,
  tryRunScript,
  type PeerContext,
  type PeerDeps,
} from './context';
import { readScreen, SESSION_GONE } from './screen';
import type { DeliverInput, DeliverResult, SubmitInput, SubmitResult } from '../contracts/deliver';

export type { DeliverInput, DeliverResult, SubmitInput, SubmitResult };

/**
 * The light path's one round trip: exit 3 when the marker buffer says this delivery was typed
 * already; else set the marker and type the text as literal keys. Argvs, checked as such by the
 * allow-list before the script's text is made (tryRunScript).
 */
export function typeOnceScript(sock: TmuxSocket, target: string, deliveryId: string, text: string): ComposedScript {
  const marker = bufferNames(deliveryId).marker;
  return [
    { commands: [{ argv: showBuffer(sock, marker), quiet: true }], exit: 3 },
    { commands: [{ argv: setBuffer(sock, marker, deliveryId) }, { argv: sendKeysLiteral(sock, target, text) }] },
  ];
}

export function bufferNames(deliveryId: string): { text: string; marker: string } {
  if (!/^[A-Za-z0-9_.-]{1,80}$/.test(deliveryId)) throw new Error(`bad delivery id ${deliveryId}`);
  return { text: `pc-${deliveryId}`, marker: `pc-${deliveryId}.loaded` };
}

export function createDeliveryActivities(deps: PeerDeps) {
  return {
    deliver: (input: DeliverInput): Promise<DeliverResult> => deliver(deps, input),
    submit: (input: SubmitInput): Promise<SubmitResult> => submit(deps, input),
    cleanupDelivery: (input: { peer: string; deliveryId: string }): Promise<void> => cleanupDelivery(deps, input),
  };
}

/** The text's digests, as DeliverResult reports them. */
type Digest = Pick<DeliverResult, 'bytes' | 'sha256' | 'receiptSha256'>;

async function deliver(deps: PeerDeps, input: DeliverInput): Promise<DeliverResult> {
  const ctx = await peerContext(deps, input.peer);
  const bytes = Buffer.from(input.text, 'utf8');
  const digest: Digest = {
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    receiptSha256: canonicalSha256(input.text).sha256,
  };
  const names = bufferNames(input.deliveryId);

  heartbeat('deliver');
  if (input.path === 'light') {
    const alreadyDelivered = await typeOnce(ctx, input);
    return { path: 'light', ...digest, alreadyDelivered, pastedAt: deps.now() };
  }
  const marker = await tryRun(ctx, 'check delivery marker', showBuffer(ctx.sock, names.marker));
  if (marker.code !== 0) await stageIntoBuffer(ctx, input.deliveryId, bytes);
  heartbeat('paste');
  const alreadyDelivered = await pasteOnce(ctx, names.text);
  return { path: input.path, ...digest, alreadyDelivered, pastedAt: deps.now() };
}

/**
 * Light path, one round trip: unless the marker says it was typed already, set the marker and
 * type the text as literal keys (a single line without control characters). The text is one
 * single-quoted word of the script; it never meets the shell unquoted. True: typed already.
 */
async function typeOnce(ctx: PeerContext, input: DeliverInput): Promise<boolean> {
  const typed = await tryRunScript(
    ctx,
    'type text',
    typeOnceScript(ctx.sock, ctx.target, input.deliveryId, input.text),
  );
  if (typed.code !== 0 && typed.code !== 3) {
    throw fail(
      ErrorType.PeerCommandFailed,
      `${ctx.name}: typing into ${ctx.target} failed: ${typed.stderr.trim() || `exit ${typed.code}`}`,
    );
  }
  return typed.code === 3;
}

/** Heavy path: the bytes as a 0600 file in the staging folder, loaded into the text buffer, then the marker set. */
async function stageIntoBuffer(ctx: PeerContext, deliveryId: string, bytes: Buffer): Promise<void> {
  const names = bufferNames(deliveryId);
  const dir = await absolutePeerPath(ctx, ctx.cfg.stagingDir);
  const file = `${dir}/${deliveryId}.txt`;
  try {
    await ctx.shell.mkdirp(dir, 0o700);
    await ctx.shell.writeFile(file, bytes, { mode: 0o600, atomic: true });
  } catch (err) {
    throw translate(ctx.name, 'stage text file', err);
  }
  const loaded = await tryRunScript(ctx, 'load text', loadTextScript(ctx.sock, names, deliveryId, file));
  if (loaded.code !== 0) {
    const why = loaded.stderr.trim().split('\n').slice(-3).join(' | ') || `exit status ${loaded.code}`;
    throw fail(ErrorType.PeerCommandFailed, `${ctx.name}: load text: \`tmux load-buffer\` failed: ${why}`);
  }
}

/**
 * One round trip (each costs a tmux process, ~5 ms): load the staged file into the text buffer,
 * then set the marker, then remove the file; the file is removed when loading failed too, and
 * then the script ends with 1.
 */
function loadTextScript(
  sock: PeerContext['sock'],
  names: { text: string; marker: string },
  deliveryId: string,
  file: string,
): ComposedScript {
  const removeFile = { argv: ['rm', '-f', '--', file], quiet: true };
  return [
    {
      commands: [
        { argv: loadBufferFromFile(sock, names.text, file) },
        { argv: setBuffer(sock, names.marker, deliveryId) },
        removeFile,
      ],
      exit: 0,
    },
    { commands: [removeFile], exit: 1 },
  ];
}

/** Pastes (and consumes) the text buffer; true when it was gone: pasted already by an earlier attempt. */
async function pasteOnce(ctx: PeerContext, buffer: string): Promise<boolean> {
  const paste = await tryRun(ctx, 'paste', pasteBuffer(ctx.sock, ctx.target, buffer));
  if (paste.code === 0) return false;
  if (SESSION_GONE.test(paste.stderr)) {
    throw fail(
      ErrorType.SessionGone,
      `${ctx.name}: the agent's tmux session ${ctx.target} is gone (${paste.stderr.trim()})`,
    );
  }
  if (/no buffer/i.test(paste.stderr)) return true;
  throw fail(
    ErrorType.PeerCommandFailed,
    `${ctx.name}: paste into ${ctx.target} failed: ${paste.stderr.trim() || `exit ${paste.code}`}`,
  );
}

/**
 * C-m, as its own step. It looks first: only text sitting in the input box is submitted, so a
 * retry after the C-m already went through presses nothing. It never claims "already
 * submitted" unless it knows: the agent's receipt says so. A text whose box scrolled off the
 * pane (a very long line the agent does not collapse) is submitted all the same, right after
 * its paste.
 */
async function submit(deps: PeerDeps, input: SubmitInput): Promise<SubmitResult> {
  const ctx = await peerContext(deps, input.peer);
  // Let the agent finish taking the paste, or it reads C-m as part of it. Counted from the
  // end of the paste (capped at settleMs, in case this runs on another worker's clock).
  if (input.settleMs) {
    const since = input.pastedAt === undefined ? 0 : Math.max(0, deps.now() - input.pastedAt);
    const wait = Math.min(input.settleMs, input.settleMs - since);
    if (wait > 0) await deps.sleep(wait, cancellationSignal());
  }
  const screen = await readScreen(ctx);
  if (screen.state.startsWith('dialog:')) {
    throw fail(
      ErrorType.DialogOnScreen,
      `${ctx.name}: a ${screen.state.slice(7)} dialog appeared before C-m: "${screen.evidence}"`,
    );
  }
  if (screen.input) {
    await run(ctx, 'C-m', sendKey(ctx.sock, ctx.target, 'C-m'));
    return { pressed: true, state: screen.state };
  }
  // Nothing in the box (or no box on screen): did the agent already take it?
  if (await receivedAlready(ctx, input))
    return { pressed: false, state: screen.state, reason: 'already submitted: the agent has a receipt of it' };
  if (screen.input === null && input.pastedNow && screen.state === 'unknown') {
    await run(ctx, 'C-m', sendKey(ctx.sock, ctx.target, 'C-m'));
    return {
      pressed: true,
      state: screen.state,
      reason: 'the input box is not on screen (the text scrolled it off); C-m pressed right after the paste',
    };
  }
  return {
    pressed: false,
    state: screen.state,
    reason: `no text in the input box (${screen.state}) and no receipt yet: an earlier attempt may have submitted it; the ack step decides`,
  };
}

/** The agent's records hold a receipt of the text (false when there are no records to read). */
async function receivedAlready(ctx: PeerContext, input: SubmitInput): Promise<boolean> {
  if (!input.cursor || !input.receiptSha256) return false;
  const r = await readRecordsSince(ctx, input.cursor);
  return judgeTurn(r.records, input.receiptSha256).receipt !== undefined;
}

/** Removes the delivery's buffers once the send is over (harmless when they are gone). */
async function cleanupDelivery(deps: PeerDeps, input: { peer: string; deliveryId: string }): Promise<void> {
  const ctx = await peerContext(deps, input.peer);
  await tryRunScript(ctx, 'cleanup', removeBuffersScript(ctx.sock, input.deliveryId));
}

/**
 * Deletes a delivery's text buffer (usually consumed by the paste already), then its marker, each
 * whether or not there, in one round trip: exit 1 when the marker was gone already. The send's
 * cleanupDelivery and the ack step (ack-cleanup.ts) both remove them this way.
 */
export function removeBuffersScript(sock: TmuxSocket, deliveryId: string): ComposedScript {
  const names = bufferNames(deliveryId);
  return [
    { commands: [{ argv: deleteBuffer(sock, names.text), quiet: true }] },
    { commands: [{ argv: deleteBuffer(sock, names.marker), quiet: true }] },
  ];
}
