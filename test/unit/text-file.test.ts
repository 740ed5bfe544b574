/** decodeTextFile, decodeKnownHosts, the save-as-UTF-8 hint and the quoting of suggested commands. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { posixQuote, powershellQuote, quotePath } from '../../src/config/quote';
import {
  decodeKnownHosts,
  decodeTextFile,
  saveAsUtf8Hint,
  TextFileRefused,
  utf16Signature,
} from '../../src/config/text-file';
import { knownHostsNote } from '../../src/peer-access/host-key-commands';

const le = (s: string): Buffer => Buffer.from(s, 'utf16le');
const be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
const bytes = (...parts: (number[] | Buffer | string)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

function refusal(fn: () => unknown): TextFileRefused {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TextFileRefused, String(err));
    return err;
  }
  assert.fail('not refused');
}

void describe('decodeTextFile', () => {
  void it('reads UTF-8 with and without BOM, UTF-16 LE and BE with BOM; line endings untouched', () => {
    const text = 'a: é\r\nb: 😀\n';
    assert.deepEqual(decodeTextFile(bytes(text), 'f'), { text, encoding: 'utf-8', bom: false });
    assert.deepEqual(decodeTextFile(bytes([0xef, 0xbb, 0xbf], text), 'f'), { text, encoding: 'utf-8', bom: true });
    assert.deepEqual(decodeTextFile(bytes([0xff, 0xfe], le(text)), 'f'), { text, encoding: 'utf-16le', bom: true });
    assert.deepEqual(decodeTextFile(bytes([0xfe, 0xff], be(text)), 'f'), { text, encoding: 'utf-16be', bom: true });
    assert.equal(decodeTextFile(bytes([0xff, 0xfe], le(text)), 'f', { keepBom: true }).text, `\uFEFF${text}`);
    assert.equal(decodeTextFile(bytes([0xef, 0xbb, 0xbf], text), 'f', { keepBom: true }).text, `\uFEFF${text}`);
    assert.deepEqual(decodeTextFile(bytes(''), 'f'), { text: '', encoding: 'utf-8', bom: false });
  });

  void it('refuses invalid UTF-8 with where and how, for the shell of the platform', () => {
    const r = refusal(() => decodeTextFile(bytes('ok\n', [0xe9, 0x74]), 'notes.md', { platform: 'linux' }));
    assert.equal(r.label, 'notes.md');
    assert.match(
      r.problem,
      /^notes\.md is not valid UTF-8 at byte 3 \(line 2, column 1\): the sequence starting with byte 0xE9/,
    );
    assert.match(r.hint, /^save it as UTF-8: iconv -f WINDOWS-1252 -t UTF-8 notes\.md > notes\.md\.utf8 && mv/);
    const w = refusal(() =>
      decodeTextFile(bytes([0xe9]), 'the file', { path: 'C:\\My Files\\peers.yaml', platform: 'win32' }),
    );
    assert.match(w.message, /^the file is not valid UTF-8 at byte 0/);
    assert.match(
      w.hint,
      /in PowerShell \(Get-Content -LiteralPath "C:\\My Files\\peers\.yaml"\) \| Set-Content -Encoding utf8 -LiteralPath "C:\\My Files\\peers\.yaml", or open it in your editor/,
    );
  });

  void it('refuses UTF-16 without BOM, naming it and the encoding to convert from', () => {
    const r = refusal(() => decodeTextFile(le('peers:\n  a: {}\n'), 'p.yaml', { platform: 'win32' }));
    assert.match(r.problem, /p\.yaml looks like UTF-16 LE without a byte-order mark/);
    assert.match(r.hint, /Get-Content -Encoding Unicode -LiteralPath/);
    const b = refusal(() => decodeTextFile(be('peers:\n'), 'p.yaml', { platform: 'linux' }));
    assert.match(b.problem, /UTF-16 BE/);
    assert.match(b.hint, /iconv -f UTF-16BE/);
  });

  void it('refuses UTF-16 appended to UTF-8 (PowerShell >>) as such, with or without a BOM between', () => {
    // (é in UTF-16 LE is E9 00, invalid UTF-8 too: the NUL before it decides)
    for (const tail of [le('b: 2\r\nc: 3\r\n'), bytes([0xff, 0xfe], le('b: 2\r\n')), le('b: été\r\n')]) {
      const r = refusal(() => decodeTextFile(bytes('a: 1\n', tail), 'p.yaml'));
      assert.match(r.problem, /p\.yaml turns into UTF-16 at byte 5 \(line 2, column 1\)/);
      assert.match(r.hint, /delete everything from line 2 on/);
    }
  });

  void it('refuses a NUL, a broken UTF-16 surrogate and an odd UTF-16 length', () => {
    assert.match(refusal(() => decodeTextFile(bytes('a: 1\0'), 'p')).problem, /holds a NUL byte at byte 4/);
    assert.match(refusal(() => decodeTextFile(bytes([0xff, 0xfe, 0x00, 0xd8]), 'p')).problem, /broken surrogate/);
    assert.match(refusal(() => decodeTextFile(bytes([0xff, 0xfe, 0x41]), 'p')).problem, /odd number of bytes/);
  });

  void it('utf16Signature: by BOM, or by every other byte being 0; not by a stray NUL', () => {
    assert.equal(utf16Signature(bytes([0xff, 0xfe])), 'utf-16le');
    assert.equal(utf16Signature(bytes([0xfe, 0xff], be('x'))), 'utf-16be');
    assert.equal(utf16Signature(le('hello')), 'utf-16le');
    assert.equal(utf16Signature(be('hello')), 'utf-16be');
    assert.equal(utf16Signature(bytes('a\0b')), undefined);
    assert.equal(utf16Signature(bytes('plain text\n')), undefined);
    assert.equal(utf16Signature(bytes([0xef, 0xbb, 0xbf], 'x')), undefined);
  });
});

void describe('decodeKnownHosts', () => {
  void it('UTF-8 appended to without a line break first: the texts join, as the bytes say', () => {
    const k = decodeKnownHosts(bytes('a x AAA', le('b x BBB\r\n')));
    assert.equal(k.text, 'a x AAAb x BBB\r\n');
    assert.deepEqual(
      k.parts.map((p) => [p.encoding, p.firstLine, p.lastLine]),
      [
        ['utf-8', 1, 1],
        ['utf-16le', 1, 1],
      ],
    );
  });

  void it('UTF-16 without BOM, LE and BE', () => {
    assert.equal(decodeKnownHosts(le('a x AAA\n')).text, 'a x AAA\n');
    assert.equal(decodeKnownHosts(be('a x AAA\n')).text, 'a x AAA\n');
  });

  void it('a UTF-16 comment keeps its characters; only a line start can switch back to UTF-8', () => {
    const k = decodeKnownHosts(bytes([0xff, 0xfe], le('# 東京 été\r\na x AAA\r\n'), 'b x BBB\n'));
    assert.equal(k.text, '# 東京 été\r\na x AAA\r\nb x BBB\n');
    assert.deepEqual(k.damagedLines, []);
  });

  void it('bytes invalid in their encoding cost their line only, and are reported', () => {
    const k = decodeKnownHosts(bytes('a x AAA\n', [0xe9], ' x\nb x BBB\n'));
    assert.equal(k.text.split('\n')[2], 'b x BBB');
    assert.deepEqual(k.damagedLines, [2]);
    const odd = decodeKnownHosts(bytes(le('a x AAA\n'), [0x41]));
    assert.deepEqual(odd.damagedLines, [2]);
    assert.match(knownHostsNote(k, '/k', 'linux') ?? '', /^\/k: Line 2 held bytes that are not text/);
  });

  void it('plain UTF-8, with or without a leading BOM, gets no note', () => {
    assert.equal(knownHostsNote(decodeKnownHosts(bytes('a x AAA\n')), '/k', 'linux'), undefined);
    assert.equal(knownHostsNote(decodeKnownHosts(bytes([0xef, 0xbb, 0xbf], 'a x AAA\n')), '/k', 'linux'), undefined);
    assert.equal(knownHostsNote(decodeKnownHosts(bytes('')), '/k', 'linux'), undefined);
  });

  void it('a UTF-16 file gets a note with the conversion command for the shell', () => {
    const k = decodeKnownHosts(bytes([0xff, 0xfe], le('a x AAA\r\n')));
    assert.match(
      knownHostsNote(k, 'C:\\Users\\J D\\.ssh\\known_hosts', 'win32') ?? '',
      /is UTF-16 LE .*convert it with \(Get-Content -LiteralPath "C:\\Users\\J D\\\.ssh\\known_hosts"\) \| Set-Content -Encoding ascii -LiteralPath "C:\\Users\\J D\\\.ssh\\known_hosts"\.$/,
    );
    assert.match(
      knownHostsNote(k, '/k', 'linux') ?? '',
      /iconv -f UTF-16 -t UTF-8 \/k > \/k\.utf8 && mv \/k\.utf8 \/k\.$/,
    );
  });
});

void describe('quoting suggested commands', () => {
  void it('POSIX: bare when safe, else single quotes', () => {
    assert.equal(posixQuote('/home/me/.ssh/known_hosts'), '/home/me/.ssh/known_hosts');
    assert.equal(posixQuote('[h]:2222'), "'[h]:2222'");
    assert.equal(posixQuote("it's here"), "'it'\\''s here'");
  });

  void it('PowerShell: double quotes unless $, ` or " would expand; then single quotes, doubled', () => {
    assert.equal(powershellQuote('peer1'), 'peer1');
    assert.equal(powershellQuote('a,b'), '"a,b"');
    assert.equal(powershellQuote('-x'), '"-x"');
    assert.equal(powershellQuote('[h]:2222'), '"[h]:2222"');
    assert.equal(powershellQuote('C:\\$x\\it’s'), "'C:\\$x\\it’’s'");
    assert.equal(quotePath('powershell', 'C:\\k'), '"C:\\k"');
    assert.equal(quotePath('posix', '/k'), '/k');
  });

  void it('saveAsUtf8Hint names the encoding to convert from when it is known', () => {
    assert.match(
      saveAsUtf8Hint('/p', { from: 'utf-16le', platform: 'linux' }),
      /iconv -f UTF-16LE -t UTF-8 \/p > \/p\.utf8 && mv \/p\.utf8 \/p,/,
    );
    assert.match(saveAsUtf8Hint('/p', { platform: 'linux' }), /\(after -f, the encoding it was written in\)/);
  });
});
