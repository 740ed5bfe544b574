/**
 * What the CLI checks before it connects to Temporal, so that bad input exits 2 with nothing
 * started (and with no Temporal server running at all): the peer is in the config, the text
 * passes the input gate, the key file and known_hosts a send over SSH needs are there.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { getPeer } from '../config/load';
import { expandHome } from '../config/paths';
import { quotePath, shellFor } from '../config/quote';
import type { Config } from '../config/schema';
import {
  decodeKnownHosts,
  decodeTextFile,
  encodingName,
  saveAsUtf8Hint,
  TextFileRefused,
  utf16Signature,
  type DecodedText,
} from '../config/text-file';
import { addHostKeyCommand, knownHostsNote } from '../peer-access/host-key-commands';
import { inspectKey } from '../peer-access/private-key';
import { gateBytes, gateText, MAX_TEXT_BYTES, type GateOptions, type GateResult } from '../contracts/text-gate';
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

/** Where the text of `--from-file -` comes from, and whose shell the hints are written for. */
export interface TextSource {
  /** Standard input (default process.stdin). */
  stdin?: AsyncIterable<Uint8Array> & { isTTY?: boolean };
  platform?: NodeJS.Platform;
}

type FileGateOptions = Omit<GateOptions, 'what'> & { what?: string } & TextSource;

/**
 * A file's text through the input gate; `-` is standard input. Read as bytes: UTF-8 is checked
 * strictly by the gate itself (offsets are the file's), UTF-16 with a BOM (Notepad's "Unicode",
 * PowerShell 5.1's `>`) is decoded first, anything else is refused with how to save it as UTF-8.
 */
export async function gatedFile(file: string, opts: FileGateOptions = {}): Promise<string> {
  const max = opts.maxBytes ?? MAX_TEXT_BYTES;
  const stdin = file === '-';
  const what = opts.what ?? (stdin ? 'standard input' : file);
  // Anything longer cannot pass even as UTF-16 with every line in CRLF (4 bytes per byte of text).
  const cap = 4 * max + 6;
  const tooBig = (size: string): RefusedInput =>
    new RefusedInput(
      `refused, nothing was started: ${what} is ${size} bytes of UTF-8; the limit is ${max.toLocaleString('en-US')} bytes`,
      'split it into several sends, or put it in a file on the peer and send a short text that points to it',
    );
  let bytes: Uint8Array;
  if (stdin) {
    bytes = await readStdin(opts.stdin ?? process.stdin, cap, () => tooBig(`more than ${cap.toLocaleString('en-US')}`));
  } else {
    try {
      // A file far beyond the limit is refused by its size, unread.
      const st = await stat(file);
      if (st.isFile() && st.size > cap) throw tooBig(st.size.toLocaleString('en-US'));
      bytes = await readFile(file);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return gateFileBytes(bytes, what, { ...opts, path: stdin ? undefined : file });
}

/** How to get UTF-8 into standard input, where there is no file to convert. */
function stdinHint(platform: NodeJS.Platform): string {
  return platform === 'win32'
    ? 'pipe UTF-8: in Windows PowerShell run $OutputEncoding = [Text.UTF8Encoding]::new($false) first, or give the file itself with --from-file FILE'
    : 'pipe UTF-8 (e.g. through iconv -t UTF-8), or give a UTF-8 file with --from-file FILE';
}

/**
 * Bytes of a directive file (or standard input when `path` is undefined) through the input
 * gate, as gatedFile does after reading them: the normalised text, or RefusedInput (exit 2).
 */
export function gateFileBytes(
  bytes: Uint8Array,
  what: string,
  opts: Omit<GateOptions, 'what'> & { path?: string; platform?: NodeJS.Platform } = {},
): string {
  const platform = opts.platform ?? process.platform;
  const hint = (h: string | undefined): string | undefined => (opts.path === undefined ? stdinHint(platform) : h);
  const gateOpts = { maxBytes: opts.maxBytes, embedded: opts.embedded };
  let gate: GateResult;
  if (utf16Signature(bytes)) {
    let decoded: DecodedText;
    try {
      // The BOM is kept: the gate drops it, so it is dropped in one place however the text came.
      decoded = decodeTextFile(bytes, what, { keepBom: true, path: opts.path, platform });
    } catch (err) {
      if (!(err instanceof TextFileRefused)) throw err;
      throw new RefusedInput(`refused, nothing was started: ${err.problem}`, hint(err.hint));
    }
    // The gate's byte offsets then count UTF-8 of the decoded text; line and column are the file's.
    gate = gateText(decoded.text, { ...gateOpts, what: `${what} (${encodingName(decoded.encoding)})` });
  } else {
    gate = gateBytes(bytes, { ...gateOpts, what });
    if (!gate.ok && gate.kind === 'invalid-utf8') {
      gate = { ...gate, hint: hint(saveAsUtf8Hint(opts.path ?? what, { platform })) };
    }
  }
  if (!gate.ok) throw new RefusedInput(`refused, nothing was started: ${gate.problem}`, gate.hint);
  return gate.text;
}

/** All of standard input, up to `cap` bytes; a terminal is refused rather than waited on. */
async function readStdin(
  stdin: AsyncIterable<Uint8Array> & { isTTY?: boolean },
  cap: number,
  tooBig: () => RefusedInput,
): Promise<Uint8Array> {
  if (stdin.isTTY) {
    throw new UsageError(
      '--from-file -: standard input is a terminal; pipe the text in (… | peer-comms send PEER -f -) or give a file',
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    size += chunk.length;
    if (size > cap) throw tooBig();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The files a send over SSH reads on this machine: the private key (when one is configured)
 * must exist and be readable, and known_hosts must exist. Checked here so a wrong path is a
 * usage error at once instead of a failed workflow. Peers reached without SSH (local, or
 * through their peer worker) need neither.
 */
export async function checkPeerFiles(
  configFile: string,
  config: Config,
  name: string,
  io: { platform?: NodeJS.Platform; warn?: (line: string) => void } = {},
): Promise<void> {
  const peer = peerOrUsage(configFile, config, name);
  if (peer.via !== 'ssh') return;
  const platform = io.platform ?? process.platform;
  if (peer.privateKey !== undefined) {
    const key = expandHome(peer.privateKey);
    const problem = await fileProblem(key, constants.R_OK);
    if (problem) {
      throw new RefusedInput(
        `peer "${name}": its private key file ${key} (privateKey in ${configFile}) ${problem}; nothing was started`,
        keyFileHint(key, configFile, problem, platform),
      );
    }
  }
  const knownHosts = expandHome(peer.knownHosts);
  const problem = await fileProblem(knownHosts, constants.R_OK);
  if (problem) {
    const add = addHostKeyCommand(peer.host ?? 'HOST', peer.port, knownHosts, io.platform);
    throw new RefusedInput(
      `peer "${name}": its known_hosts file ${knownHosts} (knownHosts in ${configFile}${peer.knownHosts === '~/.ssh/known_hosts' ? ', the default' : ''}) ${problem}; nothing was started`,
      `add the peer's host key after checking its fingerprint out of band: ${add}`,
    );
  }
  // Read as the connection will read it; a file OpenSSH cannot read (UTF-16, or PowerShell's
  // `>>` mix) still works here, but the person should hear it once and fix it.
  const note = knownHostsNote(decodeKnownHosts(await readFile(knownHosts)), knownHosts, io.platform);
  if (note) (io.warn ?? ((l: string) => process.stderr.write(`${l}\n`)))(`note: peer "${name}": ${note}`);
  // Once both files are there: a key ssh2 cannot read (a PuTTY v3 key) is refused too. Its
  // passphrase is the business of the worker that connects (asked when it starts, or its env).
  if (peer.privateKey !== undefined) {
    const key = expandHome(peer.privateKey);
    const inspection = inspectKey(key, await readFile(key), platform);
    if (inspection.kind === 'unusable') {
      throw new RefusedInput(
        `peer "${name}": its private key file ${key} (privateKey in ${configFile}) ${inspection.problem}; nothing was started`,
        inspection.fix,
      );
    }
  }
}

/**
 * What to do about a key file that is missing or unreadable, with the command quoted for this
 * user's shell. Windows has no chmod: a file there is unreadable through its ACL, not a mode.
 */
export function keyFileHint(key: string, configFile: string, problem: string, platform: NodeJS.Platform): string {
  const keyArg = quotePath(shellFor(platform), key);
  if (problem.startsWith('does not exist')) {
    return `fix the path in ${configFile}, or create the key (ssh-keygen -t ed25519 -f ${keyArg}) and add its .pub to the peer's ~/.ssh/authorized_keys`;
  }
  if (problem === 'is not a file') return `point privateKey in ${configFile} at the key file itself`;
  if (platform === 'win32') {
    return `give this user read access to it (its Properties → Security), or fix the path in ${configFile}`;
  }
  return `make it readable by this user (chmod 600 ${keyArg}), or fix the path in ${configFile}`;
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
