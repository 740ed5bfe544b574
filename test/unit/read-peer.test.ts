/**
 * Reading peer state, the pure parts: find/git output parsing, the inbox's kinds, headings,
 * the CLI's -n bounds and rendering, and the allow-list accepting exactly the reads' argvs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandPath } from '../../src/activities/read-peer';
import {
  classifyInbox,
  gitProblem,
  headingText,
  lastLines,
  parseFindOutput,
  parseLog,
  parseStatusV2,
} from '../../src/activities/read-peer-parse';
import { readInput } from '../../src/cli/read-command';
import { printable, renderInbox, renderLog, renderPeek } from '../../src/cli/read-render';
import { UsageError } from '../../src/cli/exit';
import { commandProblem } from '../../src/guards/commands';
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
      ['git', '-C', '.', '--no-optional-locks', 'status', '--porcelain=v2', '--branch'],
      ['git', '-C', '/w', 'log', '-n', '10', '--no-show-signature', '--format=%h%x1f%ct%x1f%an%x1f%s'],
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
});
