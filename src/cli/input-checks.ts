/**
 * What the CLI checks before it connects to Temporal, so that bad input exits 2 with nothing
 * started (and with no Temporal server running at all): the peer is in the config, the text
 * passes the input gate, the key file and known_hosts a send over SSH needs are there.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { getPeer } from '../config/load';
import { expandHome } from '../config/paths';
import type { Config } from '../config/schema';
import { inspectKey } from '../peer-access/private-key';
import { gateBytes, gateText, MAX_TEXT_BYTES, type GateOptions } from '../contracts/text-gate';
import { UsageError } from './exit';

/** A usage error with a hint on its own line. */
export class RefusedInput extends UsageError {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The peer's settings, or exit 2 naming the config file that was read and the peers it has. */
export function peerOrUsage(configFile: string, config: Config, name: string): Config['peers'][string] {
  try {
    return getPeer(config, name);
  } catch (err) {
    throw new UsageError(`${(err as Error).message} in ${configFile}`);
  }
}

/**
 * The text to send, from the argument or a file (read as bytes: invalid UTF-8 is refused, not
 * replaced), through the input gate: the normalised text, or exit 2 naming the problem.
 */
export async function gatedText(
  text: string | undefined,
  fromFile: string | undefined,
  opts: Omit<GateOptions, 'what'> & { what?: string } = {},
): Promise<string> {
  if (fromFile !== undefined && text !== undefined) throw new UsageError('give the text or --from-file, not both');
  if (fromFile !== undefined) return gatedFile(fromFile, opts);
  if (text === undefined) throw new UsageError('no text: give it as an argument or with --from-file FILE');
  const gate = gateText(text, { what: opts.what ?? 'the text', maxBytes: opts.maxBytes });
  if (!gate.ok) throw new RefusedInput(`refused, nothing was started: ${gate.problem}`, gate.hint);
  return gate.text;
}

/** A file's text through the input gate (bytes: strict UTF-8). */
export async function gatedFile(
  file: string,
  opts: Omit<GateOptions, 'what'> & { what?: string } = {},
): Promise<string> {
  const max = opts.maxBytes ?? MAX_TEXT_BYTES;
  let bytes: Uint8Array;
  try {
    // A file far beyond the limit (even if every line ended in CRLF) is refused by its size, unread.
    const st = await stat(file);
    if (st.isFile() && st.size > 2 * max + 6) {
      throw new RefusedInput(
        `refused, nothing was started: ${opts.what ?? file} is ${st.size.toLocaleString('en-US')} bytes of UTF-8; the limit is ${max.toLocaleString('en-US')} bytes`,
        'split it into several sends, or put it in a file on the peer and send a short text that points to it',
      );
    }
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const gate = gateBytes(bytes, { what: opts.what ?? file, maxBytes: max });
  if (!gate.ok) throw new RefusedInput(`refused, nothing was started: ${gate.problem}`, gate.hint);
  return gate.text;
}

/**
 * The files a send over SSH reads on this machine: the private key (when one is configured)
 * must exist and be readable, and known_hosts must exist. Checked here so a wrong path is a
 * usage error at once instead of a failed workflow. Peers reached without SSH (local, or
 * through their peer worker) need neither.
 */
export async function checkPeerFiles(configFile: string, config: Config, name: string): Promise<void> {
  const peer = peerOrUsage(configFile, config, name);
  if (peer.via !== 'ssh') return;
  if (peer.privateKey !== undefined) {
    const key = expandHome(peer.privateKey);
    const problem = await fileProblem(key, constants.R_OK);
    if (problem) {
      throw new RefusedInput(
        `peer "${name}": its private key file ${key} (privateKey in ${configFile}) ${problem}; nothing was started`,
        problem.startsWith('does not exist')
          ? `fix the path in ${configFile}, or create the key (ssh-keygen -t ed25519 -f ${key}) and add its .pub to the peer's ~/.ssh/authorized_keys`
          : `make it readable by this user (chmod 600 ${key}), or fix the path in ${configFile}`,
      );
    }
    // A format ssh2 cannot read (a PuTTY v3 key) is refused here; a passphrase is the business
    // of the worker that connects (asked when it starts, or from its environment).
    const inspection = inspectKey(key, await readFile(key));
    if (inspection.kind === 'unusable') {
      throw new RefusedInput(
        `peer "${name}": its private key file ${key} (privateKey in ${configFile}) ${inspection.problem}; nothing was started`,
        inspection.fix,
      );
    }
  }
  const knownHosts = expandHome(peer.knownHosts);
  const problem = await fileProblem(knownHosts, constants.R_OK);
  if (problem) {
    const scan = `ssh-keyscan${peer.port === 22 ? '' : ` -p ${peer.port}`} ${peer.host ?? 'HOST'}`;
    throw new RefusedInput(
      `peer "${name}": its known_hosts file ${knownHosts} (knownHosts in ${configFile}${peer.knownHosts === '~/.ssh/known_hosts' ? ', the default' : ''}) ${problem}; nothing was started`,
      `add the peer's host key after checking its fingerprint out of band: ${scan} >> ${knownHosts}`,
    );
  }
}

/** Why a file cannot be used, or undefined. */
async function fileProblem(path: string, mode: number): Promise<string | undefined> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return 'is not a file';
    await access(path, mode);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
    if (code === 'EACCES' || code === 'EPERM') return 'is not readable';
    return `cannot be read (${code ?? String(err)})`;
  }
}
