/**
 * refreshCredentials: push the controller's Claude OAuth credentials to a peer whose token
 * runs out soon. The token is read and written here only: it never enters workflow input,
 * result, history, logs or the audit file. The peer's previous file is kept as a 0600 backup.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { ControllerLoginNotFound } from '../config/controller-credentials';
import { decodeTextFile, TextFileRefused } from '../config/text-file';
import { formatDuration } from '../config/duration';
import { ErrorType } from '../contracts/errors';
import { PeerFileNotFound } from '../peer-access/shell';
import {
  absolutePeerPath,
  controllerPath,
  fail,
  peerContext,
  translate,
  type ControllerDeps,
  type PeerDeps,
  type PeerContext,
} from './context';
import type { RefreshResult } from '../contracts/credentials';

export type { RefreshResult };

const credentialsSchema = z.object({
  claudeAiOauth: z.object({ expiresAt: z.number().int().positive() }).loose(),
});

/** expiresAt from a credentials file's bytes, or null when it has none (never throws, never echoes the text). */
export function expiresAtOf(bytes: Buffer | null): number | null {
  if (!bytes) return null;
  try {
    const parsed = credentialsSchema.safeParse(JSON.parse(decodeTextFile(bytes, 'credentials').text));
    return parsed.success ? parsed.data.claudeAiOauth.expiresAt : null;
  } catch {
    return null;
  }
}

/**
 * The credentials as UTF-8 without a BOM, the form Claude Code on the peer reads (JSON.parse
 * fails on a BOM). A Windows editor may have saved the controller's file with a BOM or as
 * UTF-16; the JSON itself is left as it is. Throws TextFileRefused for anything else.
 */
export function credentialsAsUtf8(bytes: Buffer, file: string): Buffer {
  const { text, encoding, bom } = decodeTextFile(bytes, file);
  return encoding === 'utf-8' && !bom ? bytes : Buffer.from(text, 'utf8');
}

async function readPeerFile(ctx: PeerContext, path: string): Promise<Buffer | null> {
  try {
    return await ctx.shell.readFile(path);
  } catch (err) {
    if (err instanceof PeerFileNotFound) return null;
    throw translate(ctx.name, 'read credentials', err);
  }
}

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

type CredentialDeps = PeerDeps & Pick<ControllerDeps, 'readControllerFile'>;

export function createRefreshCredentials(deps: CredentialDeps) {
  return async function refreshCredentials(input: { peer: string }): Promise<RefreshResult> {
    const ctx = await peerContext(deps, input.peer);
    const now = deps.now();
    const controller = await controllerToken(deps, ctx, now);
    const remotePath = await absolutePeerPath(ctx, ctx.cfg.credentialsPath);
    const before = await readPeerFile(ctx, remotePath);
    const peerExpiresAtBefore = expiresAtOf(before);
    if (peerExpiresAtBefore !== null && controller.expiresAt <= peerExpiresAtBefore) {
      return {
        action: 'skipped',
        reason: 'the peer already holds a token that lasts as long as the controller’s',
        peerExpiresAtBefore,
        peerExpiresAtAfter: peerExpiresAtBefore,
        controllerExpiresAt: controller.expiresAt,
      };
    }
    try {
      const { after, backupPath } = await pushToPeer(ctx, remotePath, before, controller, now);
      return {
        action: 'pushed',
        reason: `peer token ${peerExpiresAtBefore === null ? 'missing' : `expires in ${formatDuration(peerExpiresAtBefore - now)}`}`,
        peerExpiresAtBefore,
        peerExpiresAtAfter: after,
        controllerExpiresAt: controller.expiresAt,
        backupPath,
      };
    } catch (err) {
      throw translate(ctx.name, 'push credentials', err);
    }
  };
}

interface ControllerToken {
  bytes: Buffer;
  expiresAt: number;
}

/** The controller's credentials as UTF-8, with a token that outlasts the refresh window; else a failure saying what to do. */
async function controllerToken(deps: CredentialDeps, ctx: PeerContext, now: number): Promise<ControllerToken> {
  const window = ctx.cfg.thresholds.credentialRefresh;
  const localPath = controllerPath(deps.config.controller.credentialsPath, 'controller.credentialsPath');
  let bytes: Buffer;
  try {
    bytes = await deps.readControllerFile(localPath);
  } catch (err) {
    // On macOS the reader also tried the Keychain; its message names the file and the item.
    if (err instanceof ControllerLoginNotFound) {
      throw fail(ErrorType.ControllerCredentials, `${ctx.name}: the peer's token needs a refresh, but ${err.message}`);
    }
    throw fail(
      ErrorType.ControllerCredentials,
      `${ctx.name}: the peer's token needs a refresh, but the controller's credentials file ${localPath} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); log in on the controller (claude /login) and send again`,
    );
  }
  try {
    bytes = credentialsAsUtf8(bytes, localPath);
  } catch (err) {
    // Never the decoder's own words here: they would quote bytes of the secret.
    const hint = err instanceof TextFileRefused ? err.hint : 'save it as UTF-8';
    throw fail(
      ErrorType.ControllerCredentials,
      `${ctx.name}: the controller's credentials file ${localPath} is neither UTF-8 nor UTF-16 with a byte-order mark, so it cannot be pushed; ${hint}, or log in on the controller again (claude /login)`,
    );
  }
  const expiresAt = expiresAtOf(bytes);
  if (expiresAt === null) {
    throw fail(
      ErrorType.ControllerCredentials,
      `${ctx.name}: the controller's credentials file ${localPath} has no claudeAiOauth.expiresAt; log in on the controller (claude /login) and send again`,
    );
  }
  if (expiresAt - now < window) {
    const when =
      expiresAt <= now
        ? `expired ${formatDuration(now - expiresAt)} ago`
        : `expires in ${formatDuration(expiresAt - now)}`;
    throw fail(
      ErrorType.ControllerCredentials,
      `${ctx.name}: the peer's token needs a refresh, but the controller's own token ${when} (within the ${formatDuration(window)} window): refresh it on the controller (claude /login), then send again`,
    );
  }
  return { bytes, expiresAt };
}

/** Writes the controller's file over the peer's (keeping a backup of the old one), and reads it back. */
async function pushToPeer(
  ctx: PeerContext,
  remotePath: string,
  before: Buffer | null,
  controller: ControllerToken,
  now: number,
): Promise<{ after: number | null; backupPath?: string }> {
  let backupPath: string | undefined;
  await ctx.shell.mkdirp(posix.dirname(remotePath), 0o700);
  if (before) {
    backupPath = `${remotePath}.bak-${stamp(now)}`;
    await ctx.shell.writeFile(backupPath, before, { mode: 0o600, atomic: true });
  }
  await ctx.shell.writeFile(remotePath, controller.bytes, { mode: 0o600, atomic: true });
  const after = expiresAtOf(await readPeerFile(ctx, remotePath));
  if (after !== controller.expiresAt) {
    throw fail(
      ErrorType.CredentialsNotApplied,
      `${ctx.name}: wrote ${remotePath} but it reads back with expiresAt ${after ?? 'missing'}, not ${controller.expiresAt}`,
    );
  }
  return { after, backupPath };
}
