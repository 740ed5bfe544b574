/**
 * Every command's --help ends with an "Examples:" section: the test walks the command tree as
 * `--help` lists it (root, then each subcommand's own "Commands:"), so a command added later
 * without examples fails here. `--version` prints package.json's version.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TSX = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, MAIN, ...args],
      { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** The subcommand names a help text lists under "Commands:" (continuation lines are indented deeper). */
function subcommands(help: string): string[] {
  const section = help.split(/^Commands:\n/m)[1]?.split(/\n\n/)[0] ?? '';
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1] ?? '').filter((n) => n !== 'help');
}

describe('--help', () => {
  it('every command and subcommand has an "Examples:" section', async () => {
    const root = await cli(['--help']);
    assert.equal(root.code, 0, root.stderr);
    const paths = subcommands(root.stdout).map((n) => [n]);
    assert.ok(paths.length >= 15, `commands listed: ${paths.join(' ')}`);
    const missing: string[] = [];
    for (let i = 0; i < paths.length; i += 4) {
      const batch = paths.slice(i, i + 4);
      const helps = await Promise.all(batch.map((p) => cli([...p, '--help'])));
      helps.forEach((h, j) => {
        const path = batch[j] ?? [];
        assert.equal(h.code, 0, `${path.join(' ')} --help: ${h.stderr}`);
        if (!/^Examples:\n {2}\S/m.test(h.stdout)) {
          missing.push(path.join(' '));
        }
        for (const sub of subcommands(h.stdout)) paths.push([...path, sub]);
      });
    }
    assert.deepEqual(missing, [], `commands without examples in --help: ${missing.join(', ')}`);
    assert.ok(
      paths.some((p) => p.join(' ') === 'job resolve'),
      'subcommands were walked',
    );
  });

  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await cli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  });
});
