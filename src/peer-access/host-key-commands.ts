/**
 * The commands a host-key message suggests, written for the shell the person at the controller
 * pastes into (PowerShell on Windows, a POSIX shell elsewhere), with every argument quoted, and
 * the note that says when known_hosts is in an encoding OpenSSH cannot read.
 *
 * Why PowerShell gets its own form: Windows PowerShell 5.1's `>>` appends UTF-16 LE, so the
 * POSIX `ssh-keyscan HOST >> known_hosts` pasted there breaks the file for OpenSSH, and running
 * it again makes it worse. `Out-File -Append -Encoding ascii` writes plain ASCII (host keys are
 * ASCII) in every PowerShell version.
 */
import { quoteArg, quotePath, shellFor } from '../config/quote';
import { encodingName, type KnownHostsText } from '../config/text-file';

/** `ssh-keyscan [-p PORT] HOST`, appended to known_hosts the way that shell appends ASCII. */
export function addHostKeyCommand(
  host: string,
  port: number,
  knownHostsPath: string,
  platform: NodeJS.Platform = process.platform,
): string {
  const shell = shellFor(platform);
  const scan = ['ssh-keyscan', ...(port === 22 ? [] : ['-p', String(port)]), quoteArg(shell, host)].join(' ');
  const file = quotePath(shell, knownHostsPath);
  return shell === 'powershell' ? `${scan} | Out-File -Append -Encoding ascii ${file}` : `${scan} >> ${file}`;
}

/** `ssh-keygen -R NAME -f FILE`: removes the lines for NAME (`host` or `[host]:port`). */
export function removeHostKeyCommand(
  lookupName: string,
  knownHostsPath: string,
  platform: NodeJS.Platform = process.platform,
): string {
  const shell = shellFor(platform);
  return `ssh-keygen -R ${quoteArg(shell, lookupName)} -f ${quotePath(shell, knownHostsPath)}`;
}

function lineRange(first: number, last: number): string {
  return first === last ? `line ${first}` : `lines ${first}-${last}`;
}

/**
 * One or two sentences about a known_hosts that was not plain UTF-8 (UTF-16, mixed encodings, damaged
 * lines): what peer-comms made of it and how to fix the file for OpenSSH. Undefined for a UTF-8
 * file (a leading UTF-8 BOM included: it is only dropped).
 */
export function knownHostsNote(
  decoded: KnownHostsText,
  knownHostsPath: string,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const shell = shellFor(platform);
  const file = quotePath(shell, knownHostsPath);
  const { parts, damagedLines } = decoded;
  const damaged =
    damagedLines.length > 0
      ? ` ${damagedLines.length === 1 ? 'Line' : 'Lines'} ${damagedLines.join(', ')} held bytes that are not text in their encoding and match no key.`
      : '';
  const first = parts[0];
  const plain = parts.length <= 1 && (first === undefined || first.encoding === 'utf-8');
  if (plain) return damaged ? `${knownHostsPath}:${damaged}` : undefined;

  const addAgain = addHostKeyCommand('HOST', 22, knownHostsPath, platform);
  if (parts.length === 1 && first) {
    const name = `${encodingName(first.encoding)}${first.bom ? '' : ' without a byte-order mark'}`;
    const convert =
      shell === 'powershell'
        ? `(Get-Content${first.bom ? '' : first.encoding === 'utf-16le' ? ' -Encoding Unicode' : ' -Encoding BigEndianUnicode'} -LiteralPath ${file}) | Set-Content -Encoding ascii -LiteralPath ${file}`
        : `iconv -f ${first.bom ? 'UTF-16' : first.encoding === 'utf-16le' ? 'UTF-16LE' : 'UTF-16BE'} -t UTF-8 ${file} > ${quotePath(shell, `${knownHostsPath}.utf8`)} && mv ${quotePath(shell, `${knownHostsPath}.utf8`)} ${file}`;
    return `${knownHostsPath} is ${name} (what Windows PowerShell 5.1's > and Out-File write); peer-comms reads it, OpenSSH (ssh, scp, git) does not: convert it with ${convert}.${damaged}`;
  }

  const layout = parts
    .map(
      (p) =>
        `${lineRange(p.firstLine, p.lastLine)} ${encodingName(p.encoding)}${p.bom ? ' (after a byte-order mark)' : ''}`,
    )
    .join(', ');
  const foreign = parts.filter((p) => p.encoding !== 'utf-8' || (p.bom && p !== first));
  const fix =
    first?.encoding === 'utf-8' && !foreign.includes(first)
      ? `delete ${foreign.map((p) => lineRange(p.firstLine, p.lastLine)).join(', ')} in an editor and add those hosts again with ${addAgain}`
      : `delete the file and add each host again with ${addAgain}`;
  return `${knownHostsPath} mixes encodings (${layout}), as Windows PowerShell 5.1's >> leaves it; peer-comms reads every line, OpenSSH does not: ${fix}.${damaged}`;
}
