/**
 * The controller's files as Windows leaves them (issue 10): known_hosts, peers.yaml, directive
 * files, standard input and the Claude credentials, in UTF-16 (with BOM, LE and BE), UTF-8 with
 * BOM and CRLF, and the mixed file Windows PowerShell 5.1's `>>` makes. Each goes through the
 * function the product itself uses (readKnownHosts as connectClient calls it, loadConfig,
 * gatedFile, refreshCredentials), on real temp files.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ControllerDeps, PeerDeps } from '../../src/activities';
import { createRefreshCredentials } from '../../src/activities/credentials';
import { gatedFile, gatedText, RefusedInput } from '../../src/cli/input-checks';
import { ConfigError, loadConfig, parseConfigText } from '../../src/config/load';
import { configSchema } from '../../src/config/schema';
import { gateText } from '../../src/contracts/text-gate';
import { verifyHostKey } from '../../src/peer-access/known-hosts';
import { LocalShell } from '../../src/peer-access/local-shell';
import { hostKeyMessage, readKnownHosts } from '../../src/peer-access/ssh-connect';
import { canonicalSha256 } from '../../src/receipts/records';
import { readKeyFile } from '../../src/temporal/codec';

/** An SSH wire-format ed25519 public key blob, and its known_hosts form. */
function ed25519(): { blob: Buffer; line: string } {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const str = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return { blob, line: `ssh-ed25519 ${blob.toString('base64')}` };
}

const BOM8 = Buffer.from([0xef, 0xbb, 0xbf]);
const BOM_LE = Buffer.from([0xff, 0xfe]);
const BOM_BE = Buffer.from([0xfe, 0xff]);
const le = (s: string): Buffer => Buffer.from(s, 'utf16le');
const be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peer-comms-win-enc-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Buffer | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

void describe('known_hosts as Windows writes it, read as connectClient reads it', () => {
  const right = ed25519();
  const wrong = ed25519();
  const other = ed25519();

  /** The host key check on that file: the right key passes, another key of the same type is refused. */
  async function accepts(name: string, bytes: Buffer, host = 'peer1', port = 2222): Promise<string | undefined> {
    const path = await file(name, bytes);
    const known = await readKnownHosts('gpu1', path);
    assert.equal(known.missing, false);
    assert.deepEqual(verifyHostKey(known.text, host, port, right.blob), { ok: true }, `${name}: ${known.text}`);
    const refused = verifyHostKey(known.text, host, port, wrong.blob);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.reason, 'changed');
    return known.note;
  }

  void it('UTF-16 LE with BOM (PowerShell 5.1 `>` / Out-File), CRLF', async () => {
    const note = await accepts('kh-le', Buffer.concat([BOM_LE, le(`[peer1]:2222 ${right.line}\r\n`)]));
    assert.match(note ?? '', /is UTF-16 LE .*OpenSSH .* does not: convert it with/);
  });

  void it('UTF-16 BE with BOM', async () => {
    await accepts('kh-be', Buffer.concat([BOM_BE, be(`[peer1]:2222 ${right.line}\n`)]));
  });

  void it('UTF-8 with BOM and CRLF: read, and nothing to note', async () => {
    const note = await accepts(
      'kh-bom',
      Buffer.concat([BOM8, Buffer.from(`# mine\r\n[peer1]:2222 ${right.line}\r\n`)]),
    );
    assert.equal(note, undefined);
  });

  void it('the mixed file `ssh-keyscan … >> known_hosts` leaves in PowerShell 5.1: UTF-8, then UTF-16 LE lines', async () => {
    const utf8 = Buffer.from(`other ${other.line}\n# a comment\n`);
    const note = await accepts('kh-mixed', Buffer.concat([utf8, le(`[peer1]:2222 ${right.line}\r\n`)]));
    assert.match(note ?? '', /mixes encodings \(lines 1-2 UTF-8, line 3 UTF-16 LE\)/);
    assert.match(note ?? '', /delete line 3 in an editor and add those hosts again/);
    // the UTF-8 part is still read as it was
    const known = await readKnownHosts('gpu1', join(dir, 'kh-mixed'));
    assert.deepEqual(verifyHostKey(known.text, 'other', 22, other.blob), { ok: true });
  });

  void it('… with a BOM in the middle, run twice (the second append made it worse before)', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`other ${other.line}\n`),
      BOM_LE,
      le(`[peer1]:2222 ${wrong.line}\r\n`.replace(wrong.line, other.line)),
      le(`[peer1]:2222 ${right.line}\r\n`),
    ]);
    const path = await file('kh-mixed-bom', bytes);
    const known = await readKnownHosts('gpu1', path);
    assert.deepEqual(verifyHostKey(known.text, 'peer1', 2222, right.blob), { ok: true });
    assert.match(known.note ?? '', /line 1 UTF-8, lines 2-3 UTF-16 LE \(after a byte-order mark\)/);
  });

  void it('a UTF-16 file OpenSSH later appended UTF-8 to, then PowerShell UTF-16 again', async () => {
    const bytes = Buffer.concat([
      BOM_LE,
      le(`other ${other.line}\r\n`),
      Buffer.from(`[peer1]:2222 ${right.line}\n`),
      le(`x ${wrong.line}\r\n`),
    ]);
    const note = await accepts('kh-16-8-16', bytes);
    assert.match(note ?? '', /line 1 UTF-16 LE \(after a byte-order mark\), line 2 UTF-8, line 3 UTF-16 LE/);
    assert.match(note ?? '', /delete the file and add each host again/);
  });

  void it('the refusal names the mixed encoding once and gives the PowerShell form on win32', async () => {
    const known = await readKnownHosts('gpu1', join(dir, 'kh-mixed'), 'win32');
    const v = verifyHostKey(known.text, 'peer2', 22, right.blob);
    assert.equal(v.ok, false);
    if (v.ok) return;
    const msg = hostKeyMessage(
      { peer: 'gpu2', host: 'peer2', port: 22, knownHostsPath: join(dir, 'kh-mixed') },
      v,
      false,
      { platform: 'win32', knownHostsNote: known.note },
    );
    assert.equal(msg.match(/mixes encodings/g)?.length, 1, msg);
    assert.ok(
      msg.endsWith(
        `then add the key with: ssh-keyscan peer2 | Out-File -Append -Encoding ascii "${join(dir, 'kh-mixed')}"`,
      ),
      msg,
    );
  });
});

void describe('hostKeyMessage: commands quoted for the shell they are for', () => {
  const key = ed25519();
  const unknown = verifyHostKey('', 'peer1', 2222, key.blob);
  const changed = verifyHostKey(`[peer1]:2222 ${ed25519().line}\n`, 'peer1', 2222, key.blob);
  assert.ok(!unknown.ok && !changed.ok);

  void it('win32: PowerShell, appending ASCII, the path in quotes', () => {
    if (unknown.ok || changed.ok) return;
    const target = {
      peer: 'gpu1',
      host: 'peer1',
      port: 2222,
      knownHostsPath: 'C:\\Users\\Jane Doe\\.ssh\\known_hosts',
    };
    const msg = hostKeyMessage(target, unknown, false, { platform: 'win32' });
    assert.ok(
      msg.endsWith(
        'then add the key with: ssh-keyscan -p 2222 peer1 | Out-File -Append -Encoding ascii "C:\\Users\\Jane Doe\\.ssh\\known_hosts"',
      ),
      msg,
    );
    assert.doesNotMatch(msg, />>/);
    const msg2 = hostKeyMessage(target, changed, false, { platform: 'win32' });
    assert.match(msg2, /\(ssh-keygen -R "\[peer1\]:2222" -f "C:\\Users\\Jane Doe\\\.ssh\\known_hosts"\)/);
    // `$` expands inside PowerShell's double quotes: such a path goes in single quotes
    const odd = hostKeyMessage({ ...target, knownHostsPath: "D:\\$me\\it's\\known_hosts" }, unknown, false, {
      platform: 'win32',
    });
    assert.ok(odd.endsWith(`Out-File -Append -Encoding ascii 'D:\\$me\\it''s\\known_hosts'`), odd);
  });

  void it('elsewhere: a POSIX shell, quoted only where needed', () => {
    if (unknown.ok || changed.ok) return;
    const target = { peer: 'gpu1', host: 'peer1', port: 2222, knownHostsPath: '/home/j d/.ssh/known_hosts' };
    const msg = hostKeyMessage(target, unknown, false, { platform: 'linux' });
    assert.ok(msg.endsWith(`ssh-keyscan -p 2222 peer1 >> '/home/j d/.ssh/known_hosts'`), msg);
    const msg2 = hostKeyMessage({ ...target, port: 22, knownHostsPath: '/k' }, changed, false, { platform: 'linux' });
    assert.match(msg2, /ssh-keygen -R peer1 -f \/k\)/);
    const msg3 = hostKeyMessage({ ...target, knownHostsPath: '/k' }, changed, false, { platform: 'darwin' });
    assert.match(msg3, /ssh-keygen -R '\[peer1\]:2222' -f \/k\)/);
  });
});

void describe('peers.yaml as Windows editors save it', () => {
  const yaml = ['peers:', '  loc:', '    via: local', '    workdir: ~/work', ''].join('\r\n');

  async function load(name: string, bytes: Buffer): Promise<unknown> {
    const { config } = await loadConfig(await file(name, bytes));
    return config.peers.loc?.workdir;
  }

  void it('UTF-8 with BOM and CRLF loads', async () => {
    assert.equal(await load('bom-crlf.yaml', Buffer.concat([BOM8, Buffer.from(yaml)])), '~/work');
  });

  void it('UTF-16 LE with BOM (Notepad "Unicode", PowerShell 5.1 `>`) loads, and UTF-16 BE', async () => {
    assert.equal(await load('le.yaml', Buffer.concat([BOM_LE, le(yaml)])), '~/work');
    assert.equal(await load('be.yaml', Buffer.concat([BOM_BE, be(yaml)])), '~/work');
  });

  void it('invalid UTF-8 (Windows-1252) is refused, naming the file and how to save it as UTF-8', async () => {
    const path = await file('cp1252.yaml', Buffer.concat([Buffer.from(yaml), Buffer.from('# caf\xe9\r\n', 'latin1')]));
    await assert.rejects(loadConfig(path), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 1);
      assert.match(err.message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 1 problem`));
      assert.match(err.problems[0]!, /the file is not valid UTF-8 at byte \d+ \(line 5, column 6\)/);
      assert.match(err.problems[0]!, /save it as UTF-8/);
      return true;
    });
  });

  void it('UTF-16 without BOM is refused the same way, with the encoding it is in', async () => {
    await assert.rejects(loadConfig(await file('le-nobom.yaml', le(yaml))), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.problems[0]!, /looks like UTF-16 LE without a byte-order mark.*save it as UTF-8/);
      return true;
    });
  });

  void it('a double-quoted Windows path: one line, with single quotes or forward slashes as the fix', () => {
    const text = [
      'peers:',
      '  rtx:',
      '    host: h',
      '    user: u',
      '    privateKey: "C:\\Users\\me\\.ssh\\id_ed25519"',
      '    knownHosts: "C:\\temp\\new"',
      '',
    ].join('\n');
    assert.throws(
      () => parseConfigText(text, 'peers.yaml'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 2, err.message);
        assert.equal(
          err.problems[0],
          'peers.rtx.privateKey: YAML: invalid escape \\U at line 5, column 20 in "C:\\Users\\me\\.ssh\\id_ed25519": inside double quotes a backslash starts an escape; write it in single quotes, \'C:\\Users\\me\\.ssh\\id_ed25519\', or with forward slashes, C:/Users/me/.ssh/id_ed25519',
        );
        // "\t" is a valid escape: this one parses, into a TAB, and is caught all the same
        assert.match(err.problems[1]!, /^peers\.rtx\.knownHosts: .*reads \\t as an escape.*C:<TAB>emp<LF>ew/);
        assert.match(err.problems[1]!, /'C:\\temp\\new'.* C:\/temp\/new$/);
        return true;
      },
    );
    // the fixes load
    const fixed = text
      .replace('"C:\\Users\\me\\.ssh\\id_ed25519"', "'C:\\Users\\me\\.ssh\\id_ed25519'")
      .replace('"C:\\temp\\new"', 'C:/temp/new');
    const cfg = parseConfigText(fixed, 'peers.yaml');
    assert.equal(cfg.peers.rtx?.privateKey, 'C:\\Users\\me\\.ssh\\id_ed25519');
    assert.equal(cfg.peers.rtx?.knownHosts, 'C:/temp/new');
  });

  void it('the column of a bad escape counts characters, as the input gate does (an emoji is one)', () => {
    const text = [
      'peers:',
      '  rtx:',
      '    host: h',
      '    user: u',
      '    knownHosts: "C:/Users/😀/.ssh\\known_hosts"',
      '',
    ];
    // 😀 is two UTF-16 units: counted in those, the column would be 34
    assert.throws(
      () => parseConfigText(text.join('\r\n'), 'peers.yaml'),
      /peers\.rtx\.knownHosts: YAML: invalid escape \\k at line 5, column 33 in /,
    );
  });
});

void describe('a directive: BOM and CRLF dropped once, at the input gate, however it comes in', () => {
  const lf = '# Fix the build\n\nRun the tests,\r\nthen report.\n'.replace('\r\n', '\n');
  const crlf = lf.replace(/\n/g, '\r\n');
  const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

  void it('a file with BOM + CRLF, UTF-16 LE/BE files, stdin, the argument and the workflow gate agree', async () => {
    const fromArg = await gatedText(lf, undefined);
    assert.equal(fromArg, lf);
    const inputs: [string, string][] = [
      ['utf-8 BOM + CRLF file', await gatedFile(await file('d-bom.md', Buffer.concat([BOM8, Buffer.from(crlf)])))],
      ['UTF-16 LE file', await gatedFile(await file('d-le.md', Buffer.concat([BOM_LE, le(crlf)])))],
      ['UTF-16 BE file', await gatedFile(await file('d-be.md', Buffer.concat([BOM_BE, be(crlf)])))],
      ['stdin', await gatedFile('-', { stdin: Readable.from([Buffer.concat([BOM8, Buffer.from(crlf)])]) })],
      ['stdin, UTF-16', await gatedFile('-', { stdin: Readable.from([BOM_LE, le(crlf)]) })],
      ['argument with BOM + CRLF', await gatedText(`\uFEFF${crlf}`, undefined)],
    ];
    const started = gateText(`\uFEFF${crlf}`); // a start from the Temporal UI: the workflow's gate
    assert.ok(started.ok);
    inputs.push(['workflow gate', started.text]);
    for (const [how, text] of inputs) {
      assert.equal(text, lf, how);
      assert.equal(sha(text), sha(lf), how);
      // the receipt hash: what the agent reports for the pasted text
      assert.equal(canonicalSha256(text).sha256, canonicalSha256(lf).sha256, how);
    }
  });

  void it('only one BOM is dropped (a second one is text), and only at the gate', async () => {
    const two = await gatedFile(await file('d-2bom.md', Buffer.concat([BOM8, Buffer.from(`\uFEFF${lf}`)])));
    assert.equal(two, `\uFEFF${lf}`);
    const le2 = await gatedFile(await file('d-2bom-le.md', Buffer.concat([BOM_LE, le(`\uFEFF${lf}`)])));
    assert.equal(le2, `\uFEFF${lf}`);
  });

  void it('UTF-16 without BOM and invalid UTF-8 are refused with how to save as UTF-8 (PowerShell on win32)', async () => {
    const path = await file('d-nobom.md', le(lf));
    await assert.rejects(gatedFile(path), (err: unknown) => {
      assert.ok(err instanceof RefusedInput);
      assert.match(err.message, /d-nobom\.md looks like UTF-16 LE without a byte-order mark/);
      assert.match(err.hint ?? '', /save it as UTF-8/);
      return true;
    });
    const cp1252 = await file('d-1252.md', Buffer.from('caf\xe9\n', 'latin1'));
    await assert.rejects(gatedFile(cp1252, { platform: 'win32' }), (err: unknown) => {
      assert.ok(err instanceof RefusedInput);
      assert.match(err.message, /is not valid UTF-8 at byte 3 \(line 1, column 4\)/);
      assert.equal(
        err.hint,
        `save it as UTF-8: in PowerShell (Get-Content -LiteralPath "${cp1252}") | Set-Content -Encoding utf8 -LiteralPath "${cp1252}", or open it in your editor and save it with the encoding UTF-8`,
      );
      return true;
    });
    await assert.rejects(
      gatedFile('-', { stdin: Readable.from([Buffer.from('caf\xe9\n', 'latin1')]), platform: 'win32' }),
      (err: unknown) => {
        assert.ok(err instanceof RefusedInput);
        assert.match(err.message, /standard input is not valid UTF-8/);
        assert.match(err.hint ?? '', /\$OutputEncoding = \[Text\.UTF8Encoding\]::new\(\$false\)/);
        return true;
      },
    );
  });

  void it('the gate still speaks for a UTF-16 file (its rules, with the encoding named)', async () => {
    const path = await file('d-le-esc.md', Buffer.concat([BOM_LE, le('ok\r\nbad \x1b[201~\r\n')]));
    await assert.rejects(
      gatedFile(path),
      /d-le-esc\.md \(UTF-16 LE\) holds the control character ESC .* \(line 2, column 5\)/,
    );
  });

  void it('a terminal on stdin is refused, not waited on', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await assert.rejects(gatedFile('-', { stdin: tty }), /standard input is a terminal/);
  });
});

void describe("the controller's Claude credentials as Notepad saves them", () => {
  let home = '';
  let shell: LocalShell | undefined;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'peer-comms-win-cred-'));
    await mkdir(join(home, 'peer'), { recursive: true });
    shell = new LocalShell('loc', { home });
  });
  after(async () => {
    await shell?.close();
    await rm(home, { recursive: true, force: true });
  });

  async function push(controllerBytes: Buffer): Promise<Buffer> {
    const controllerPath = join(home, 'controller.json');
    const peerPath = join(home, 'peer', 'credentials.json');
    await writeFile(controllerPath, controllerBytes);
    await rm(peerPath, { force: true });
    const config = configSchema.parse({
      controller: { credentialsPath: controllerPath },
      peers: { loc: { via: 'local', credentialsPath: peerPath } },
    });
    const deps: PeerDeps & Pick<ControllerDeps, 'readControllerFile'> = {
      config,
      shells: { get: async () => shell! },
      readControllerFile: (p) => readFile(p),
      now: () => Date.now(),
      sleep: async () => undefined,
    };
    const r = await createRefreshCredentials(deps)({ peer: 'loc' });
    assert.equal(r.action, 'pushed');
    return readFile(peerPath);
  }

  void it('UTF-8 with BOM and UTF-16 LE with BOM reach the peer as UTF-8 without BOM', async () => {
    const json = `{\r\n  "claudeAiOauth": { "accessToken": "tok-é", "expiresAt": ${Date.now() + 30 * 86_400_000} }\r\n}\r\n`;
    for (const bytes of [Buffer.concat([BOM8, Buffer.from(json)]), Buffer.concat([BOM_LE, le(json)])]) {
      const pushed = await push(bytes);
      assert.deepEqual(pushed, Buffer.from(json, 'utf8'));
    }
    // plain UTF-8 goes as it is, byte for byte
    assert.deepEqual(await push(Buffer.from(json)), Buffer.from(json));
  });
});

void describe('the codec key file as Windows PowerShell 5.1 writes it (`"id:…" > codec.key`)', () => {
  void it('UTF-16 LE with BOM and CRLF reads the same keys as UTF-8; a legacy code page is refused without quoting it', async () => {
    const k1 = randomBytes(32).toString('base64');
    const k2 = randomBytes(32).toString('base64');
    const text = `# keys\r\nnew:${k1}\r\nold:${k2}\r\n`;
    const utf8 = join(dir, 'codec-utf8');
    const utf16 = join(dir, 'codec-utf16');
    await writeFile(utf8, text, { mode: 0o600 });
    await writeFile(utf16, Buffer.concat([BOM_LE, le(text)]), { mode: 0o600 });
    const a = await readKeyFile(utf8);
    const b = await readKeyFile(utf16);
    assert.deepEqual(
      b.map((k) => [k.id, k.key.export().toString('base64')]),
      a.map((k) => [k.id, k.key.export().toString('base64')]),
    );
    assert.deepEqual(
      b.map((k) => k.id),
      ['new', 'old'],
    );
    const bad = join(dir, 'codec-1252');
    await writeFile(bad, Buffer.concat([Buffer.from(`new:${k1}\n# `), Buffer.from([0xe9, 0x0a])]), { mode: 0o600 });
    await assert.rejects(readKeyFile(bad), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(
        err.message,
        /the codec key file is neither UTF-8 nor UTF-16 with a byte-order mark; save it as UTF-8/,
      );
      assert.doesNotMatch(err.message, /0xE9/);
      return true;
    });
  });
});
