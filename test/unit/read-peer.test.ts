/**
 * Reading peer state, the pure parts: find/git output parsing, the inbox's kinds, headings,
 * the CLI's -n bounds and rendering, and the allow-list accepting exactly the reads' argvs.
 * Then recentCommits over a LocalShell on a real repository whose config tries to run commands
 * (core.fsmonitor, a filter driver, hooks, a pager, a signature check): none of them runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PeerDeps } from '../../src/activities/context';
import { commandPath, createReadPeerActivities } from '../../src/activities/read-peer';
import {
  classifyInbox,
  gitProblem,
  headingText,
  lastLines,
  parseFilterDrivers,
  parseFindOutput,
  parseLog,
  parseStatusV2,
} from '../../src/activities/read-peer-parse';
import { parseConfigText } from '../../src/config/load';
import { readInput } from '../../src/cli/read-command';
import { printable, renderInbox, renderLog, renderPeek } from '../../src/cli/read-render';
import { UsageError } from '../../src/cli/exit';
import { commandProblem } from '../../src/guards/commands';
import { GIT_FILTER_LIST, GIT_READ_SAFETY, GIT_STATUS_ARGS, gitReadArgv } from '../../src/guards/git-read';
import { LocalShell } from '../../src/peer-access/local-shell';
import { emptyInbox } from '../workflow/mock-activities';

const policy = { peer: 'p', rental: true, stagingDir: '~/.cache/peer-comms' };

describe('read peer: parsing', () => {
  it('find records: kinds, resolved/, DONE, other, newest first cut', () => {
    const rec = (d: number, y: string, size: number, t: number, p: string) => `${d}\t${y}\t${size}\t${t}.5\t${p}\0`;
    const out =
      rec(0, 'd', 4096, 100, '') +
      rec(1, 'f', 120, 300, 'PHONE-HOME-gpu-oom.md') +
      rec(1, 'f', 10, 200, 'PHONE-HOME-bad name.md') +
      rec(1, 'f', 30, 250, 'DONE-job-p-x.md') +
      rec(1, 'f', 5, 260, 'RESUME-vastai.md') +
      rec(1, 'd', 4096, 270, 'resolved') +
      rec(2, 'f', 44, 150, 'resolved/PHONE-HOME-old.md') +
      rec(2, 'f', 45, 160, 'resolved/PHONE-HOME-old.md.1') +
      rec(1, 'd', 4096, 280, 'drafts') +
      rec(2, 'f', 1, 290, 'drafts/ignored.md') +
      rec(1, 'f', 7, 310, 'odd\tname\nwith breaks');
    const found = parseFindOutput(out);
    assert.equal(found.length, 11);
    assert.equal(found[1]?.mtimeMs, 300_500);
    const l = classifyInbox(found);
    assert.equal(l.exists, true);
    assert.deepEqual(
      l.phoneHomes.map((p) => [p.name, p.topic]),
      [
        ['PHONE-HOME-bad name.md', undefined],
        ['PHONE-HOME-gpu-oom.md', 'gpu-oom'],
      ],
    );
    assert.deepEqual(
      l.done.map((d) => d.jobId),
      ['job-p-x'],
    );
    assert.deepEqual(
      l.other.map((o) => [o.name, o.kind]),
      [
        ['RESUME-vastai.md', 'file'],
        ['drafts', 'dir'],
        ['odd\tname\nwith breaks', 'file'],
      ],
    );
    assert.deepEqual(
      l.resolved.map((r) => r.name),
      ['PHONE-HOME-old.md', 'PHONE-HOME-old.md.1'],
    );
    assert.equal(l.resolvedTotal, 2);
    assert.equal(l.truncated, false);
    assert.equal(classifyInbox([]).exists, false);
  });

  it('headings and pane lines', () => {
    assert.equal(headingText('## Phone home: GPU OOM ##'), 'Phone home: GPU OOM');
    assert.equal(headingText(`# ${'x'.repeat(300)}`).length, 200);
    assert.deepEqual(lastLines('a\nb  \n\x1b[1mc\x1b[0m\n\n\n', 2), ['b', 'c']);
  });

  it('git status --porcelain=v2 --branch', () => {
    const g = parseStatusV2(
      [
        '# branch.oid 0123456789abcdef0123456789abcdef01234567',
        '# branch.head main',
        '# branch.upstream origin/main',
        '# branch.ab +2 -1',
        '1 M. N... 100644 100644 100644 abc abc src/a.ts',
        '1 .M N... 100644 100644 100644 abc abc src/b file.ts',
        '2 R. N... 100644 100644 100644 abc abc R100 new.ts\told.ts',
        'u UU N... 100644 100644 100644 100644 a b c both.ts',
        '? notes.md',
        '',
      ].join('\n'),
    );
    assert.equal(g.branch, 'main');
    assert.equal(g.upstream, 'origin/main');
    assert.deepEqual([g.ahead, g.behind, g.unborn], [2, 1, false]);
    assert.deepEqual(g.changes, { staged: 2, modified: 1, untracked: 1, conflicted: 1 });
    assert.deepEqual(g.status, ['M  src/a.ts', ' M src/b file.ts', 'R  new.ts <- old.ts', 'UU both.ts', '?? notes.md']);
    const unborn = parseStatusV2('# branch.oid (initial)\n# branch.head main\n');
    assert.equal(unborn.unborn, true);
    assert.equal(parseStatusV2('# branch.oid abc\n# branch.head (detached)\n').branch, null);
  });

  it('git log lines and git problems', () => {
    const commits = parseLog('abc1234\x1f1700000000\x1fAda L\x1ffix: a subject with \x1f inside\n');
    assert.deepEqual(commits, [
      { hash: 'abc1234', timeMs: 1_700_000_000_000, author: 'Ada L', subject: 'fix: a subject with \x1f inside' },
    ]);
    const notRepo = gitProblem('p', '/w', {
      code: 128,
      stdout: '',
      stderr: 'fatal: not a git repository (or any of the parent directories): .git\n',
    });
    assert.match(notRepo, /^p: the workdir \/w is not a git repository .*Set workdir in the peers file/);
    assert.match(gitProblem('p', '/w', { code: 127, stdout: '', stderr: '' }), /git is not installed/);
  });

  it('command paths are never taken for options', () => {
    assert.equal(commandPath('~/'), '.');
    assert.equal(commandPath('~/work/inbox/p'), 'work/inbox/p');
    assert.equal(commandPath('~/-x'), './-x');
    assert.equal(commandPath('/abs'), '/abs');
  });
});

describe('read peer: CLI input and output', () => {
  it('-n bounds', () => {
    assert.deepEqual(readInput({ peer: 'p', what: 'peek', json: false }), { peer: 'p', what: 'peek', lines: 50 });
    assert.deepEqual(readInput({ peer: 'p', what: 'log', n: '3', json: false }), { peer: 'p', what: 'log', count: 3 });
    assert.deepEqual(readInput({ peer: 'p', what: 'inbox', n: 'x', json: false }), { peer: 'p', what: 'inbox' });
    for (const n of ['0', '-1', 'ten', '2.5', '100000']) {
      assert.throws(() => readInput({ peer: 'p', what: 'peek', n, json: false }), UsageError);
    }
  });

  it('rendering: state line, inbox kinds, log summary; control characters escaped', () => {
    const peek = renderPeek({
      peer: 'p',
      target: 's:0.0',
      lines: ['hello', '❯'],
      scrollback: false,
      state: 'working',
      evidence: '✻ Thinking… (esc to interrupt)',
      input: '',
      queued: false,
      readAt: 0,
    });
    assert.equal(peek.at(-1), '──── p s:0.0 · last 2 lines · state: working (✻ Thinking… (esc to interrupt))');
    assert.equal(printable('a\x1b[2Jb'), 'a\\x1b[2Jb');
    const now = Date.now();
    const inbox = renderInbox(
      emptyInbox('p', {
        inboxDir: '~/w/inbox/p',
        phoneHomes: [{ name: 'PHONE-HOME-x.md', bytes: 2048, mtimeMs: now - 60_000, topic: 'x', heading: 'Stuck' }],
      }),
      now,
    );
    assert.match(inbox.join('\n'), /PHONE-HOME-x\.md\s+2\.0 KB .*\(1m00s ago\)\s+"Stuck"/);
    assert.match(inbox.join('\n'), /DONE markers \(0\): none/);
    const missing = renderInbox(emptyInbox('p', { inboxDir: '~/w/inbox/p', exists: false }), now);
    assert.deepEqual(missing, ['p: no inbox folder at ~/w/inbox/p yet (nothing phoned home)']);
    const log = renderLog(
      {
        peer: 'p',
        workdir: '/w',
        git: {
          branch: 'main',
          upstream: 'origin/main',
          ahead: 1,
          behind: 0,
          unborn: false,
          status: ['?? n.md'],
          statusTotal: 1,
          changes: { staged: 0, modified: 0, untracked: 1, conflicted: 0 },
        },
        commits: [{ hash: 'abc1234', timeMs: now - 7_200_000, author: 'Ada', subject: 'second' }],
      },
      now,
    );
    assert.equal(log[0], 'p /w: on main (origin/main: ahead 1); 1 untracked');
    assert.match(log[1] ?? '', /^ {2}abc1234\s+2h00m ago {2}second {2}\(Ada\)$/);
  });
});

describe('read peer: the allow-list takes exactly the reads (a rental peer too)', () => {
  const fmt = '%d\\t%y\\t%s\\t%T@\\t%P\\0';
  it('allows the argvs the read activities send', () => {
    for (const argv of [
      ['tmux', '-L', 'e2e', 'capture-pane', '-p', '-t', '=s:0.0', '-S', '-200'],
      ['find', '-H', 'work/inbox/p', '-maxdepth', '2', '-printf', fmt],
      ['grep', '-E', '-m', '1', '-H', '-e', '^ {0,3}#', '--', 'work/inbox/p/PHONE-HOME-a.md', '/abs/b.md'],
      gitReadArgv('.', GIT_FILTER_LIST),
      gitReadArgv('.', GIT_STATUS_ARGS),
      gitReadArgv('.', GIT_STATUS_ARGS, ['lfs', 'a.b c']),
      gitReadArgv(
        '/w',
        ['log', '-n', '10', '--no-show-signature', '--no-textconv', '--no-ext-diff', '--format=%h%x1f%ct%x1f%an%x1f%s'],
        ['lfs'],
      ),
    ]) {
      assert.equal(commandProblem(argv, policy), undefined, argv.join(' '));
    }
  });

  it('refuses find and grep in any other shape', () => {
    for (const argv of [
      ['find', '-H', 'd', '-maxdepth', '2', '-printf', 'x', '-delete'],
      ['find', '-H', 'd', '-maxdepth', '2', '-exec', 'docker', 'exec'],
      ['find', '-H', '-delete', '-maxdepth', '2', '-printf', 'x'],
      ['find', '-H', '(', '-maxdepth', '2', '-printf', 'x'],
      ['grep', '-E', '-m', '1', '-H', '-e', 'x', '--'],
      ['grep', '-r', 'x', '/'],
      ['grep', '-E', '-m', '1', '-H', '-e', 'x', '--', '-f'],
      ['git', '--no-optional-locks', '-C', '/w', 'reset', '--hard'],
    ]) {
      assert.notEqual(commandProblem(argv, policy), undefined, argv.join(' '));
    }
  });

  it('refuses a git read without its safety options, or in any other shape', () => {
    const withoutOne = GIT_READ_SAFETY.map((_, i) => [
      'git',
      '-C',
      '/w',
      ...GIT_READ_SAFETY.filter((__, k) => k !== i && k !== (GIT_READ_SAFETY[i] === '-c' ? i + 1 : -1)),
      'status',
      '--porcelain=v2',
      '--branch',
    ]);
    for (const argv of [
      // the shapes before: a repository's config could run commands
      ['git', '-C', '.', '--no-optional-locks', 'status', '--porcelain=v2', '--branch'],
      ['git', '-C', '/w', 'log', '-n', '10', '--no-show-signature', '--format=%h'],
      ...withoutOne,
      gitReadArgv('/w', ['log', '-n', '10', '--no-show-signature', '--format=%h']), // textconv, ext diff
      gitReadArgv('/w', ['log', '-n', '10', '--no-show-signature', '--no-textconv', '--no-ext-diff', '-p']),
      gitReadArgv('/w', ['status', '--porcelain=v2', '--branch']), // a child git would run in each submodule
      gitReadArgv('/w', ['status', '--porcelain=v2', '--branch', '--ignore-submodules=none']),
      gitReadArgv('/w', ['config', 'core.fsmonitor', '/tmp/x']),
      gitReadArgv('/w', ['show', 'HEAD']),
      gitReadArgv('/w', ['reset', '--hard']),
      // a -c after the safety options that sets something else than a filter off
      [...gitReadArgv('/w', []), '-c', 'core.fsmonitor=/tmp/x', 'status', '--porcelain=v2', '--branch'],
      [...gitReadArgv('/w', []), '-c', 'filter.x.clean=/tmp/x', 'status', '--porcelain=v2', '--branch'],
      ['git', '-C', '/w', '-c', 'core.fsmonitor=/tmp/x', ...GIT_READ_SAFETY, 'status', '--porcelain=v2', '--branch'],
    ]) {
      assert.notEqual(commandProblem(argv, policy), undefined, argv.join(' '));
    }
    assert.throws(() => gitReadArgv('/w', ['status'], ['a=b']), /cannot switch off/);
  });

  it('filter driver names from git config --null --name-only', () => {
    assert.deepEqual(parseFilterDrivers('filter.lfs.clean\0filter.lfs.process\0filter.a.b c.smudge\0filter.x\0'), [
      'lfs',
      'a.b c',
    ]);
    assert.deepEqual(parseFilterDrivers(''), []);
  });
});

describe('read peer: git never runs a command from the repository it reads', () => {
  let dir: string;
  let shell: LocalShell;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peer-comms-git-'));
    shell = new LocalShell('me', { home: dir });
  });
  after(async () => {
    await shell.close();
    await rm(dir, { recursive: true, force: true });
  });

  const git = (cwd: string, ...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=Peer Agent', '-c', 'user.email=peer@example.invalid', ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    }).trim();

  it('recentCommits: fsmonitor, filter drivers (and a submodule’s), hooks, a pager and gpg in the repo config never run', async () => {
    const repo = join(dir, 'work');
    const marker = join(dir, 'ran.marker');
    const evil = join(dir, 'evil.sh');
    // Writes a marker line naming how it was called, passes stdin through (a filter), succeeds.
    await writeFile(evil, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat\n`);
    await chmod(evil, 0o755);
    execFileSync('mkdir', ['-p', repo]);
    git(repo, 'init', '-q', '-b', 'main');
    await writeFile(join(repo, 'a.txt'), 'one\n');
    git(repo, 'add', 'a.txt');
    git(repo, 'commit', '-q', '-m', 'first commit');
    // A submodule whose own config has a filter driver: not the parent's, so not one switched off by name.
    const sub = join(dir, 'sub');
    execFileSync('mkdir', ['-p', sub]);
    git(sub, 'init', '-q', '-b', 'main');
    await writeFile(join(sub, 's.txt'), 's\n');
    git(sub, 'add', 's.txt');
    git(sub, 'commit', '-q', '-m', 'sub');
    git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'sub');
    git(repo, 'commit', '-q', '-m', 'add sub');
    git(join(repo, 'sub'), 'config', 'filter.subevil.clean', evil);
    await writeFile(join(repo, '.git', 'modules', 'sub', 'info', 'attributes'), '* filter=subevil\n');
    await writeFile(join(repo, 'sub', 's.txt'), 'changed\n');
    await utimes(join(repo, 'sub', 's.txt'), new Date('2020-01-01'), new Date('2020-01-01'));
    for (const [key, value] of [
      ['core.fsmonitor', evil],
      ['core.hooksPath', join(dir, 'hooks')],
      ['core.pager', evil],
      ['pager.log', evil],
      ['diff.external', evil],
      ['log.showSignature', 'true'],
      ['gpg.program', evil],
      ['filter.evil.clean', evil],
      ['filter.evil.required', 'true'],
      ['filter.lfs.clean', evil],
    ]) {
      git(repo, 'config', key ?? '', value ?? '');
    }
    await writeFile(join(repo, '.git', 'info', 'attributes'), '* filter=evil\n');
    await writeFile(join(repo, 'a.txt'), 'two\n'); // modified: status must look at its content
    await utimes(join(repo, 'a.txt'), new Date('2020-01-01'), new Date('2020-01-01'));

    // The repository really runs them when git is called plainly (the test would prove nothing otherwise).
    execFileSync('git', ['status', '--porcelain'], {
      cwd: repo,
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
      stdio: 'ignore',
    });
    assert.match(await readFile(marker, 'utf8'), /evil\.sh/, 'plain git status ran nothing from the config');
    await rm(marker);
    const indexBefore = (await stat(join(repo, '.git', 'index'))).mtimeMs;

    const config = parseConfigText('peers:\n  box:\n    via: local\n    workdir: ~/work\n', 'peers.yaml');
    const deps: PeerDeps = {
      config,
      shells: { get: async () => shell },
      now: () => Date.now(),
      sleep: async () => {},
    };
    const { recentCommits } = createReadPeerActivities(deps);
    const res = await recentCommits({ peer: 'box', count: 5 });
    assert.equal(res.problem, undefined, res.problem);
    assert.equal(res.git?.branch, 'main');
    assert.deepEqual(res.git?.status, [' M a.txt']);
    assert.deepEqual(
      res.commits.map((c) => c.subject),
      ['add sub', 'first commit'],
    );
    await assert.rejects(readFile(marker, 'utf8'), { code: 'ENOENT' }, 'a command from the repo config ran');
    assert.equal((await stat(join(repo, '.git', 'index'))).mtimeMs, indexBefore, 'the index was written');
  });
});
