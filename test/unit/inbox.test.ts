/**
 * The phone-home inbox: the peer's recommendation (closing section), topic and decision
 * parsing, the resolution text, and scanInbox / resolvePhoneHome run for real against a
 * LocalShell whose home is a temp folder (the same script runs over SSH).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createInboxActivities, inboxDirOf, parseScanOutput } from '../../src/activities/inbox';
import type { PeerDeps } from '../../src/activities';
import { configSchema } from '../../src/config/schema';
import { jobWorkflowId, slugify } from '../../src/contracts/job-input';
import { parseDecision } from '../../src/contracts/job-resolution';
import {
  closingSection,
  jobFooter,
  normalizeTopic,
  resolutionMessage,
  textKey,
  topicFromFileName,
} from '../../src/contracts/phone-home';
import { LocalShell } from '../../src/peer-access/local-shell';

void describe('closingSection (the peer recommendation)', () => {
  void test('the section under a Recommendation heading, up to the next heading of its level', () => {
    const text = [
      '# PHONE-HOME: eval regressed',
      '',
      '## What happened',
      'Loss went up.',
      '',
      '## Recommendation',
      'Option (b): rerun with lr 1e-4.',
      '',
      '### Why',
      'The spike matches the warmup change.',
      '',
      '## Appendix',
      'logs…',
    ].join('\n');
    assert.equal(
      closingSection(text),
      '## Recommendation\nOption (b): rerun with lr 1e-4.\n\n### Why\nThe spike matches the warmup change.',
    );
  });

  void test('otherwise the last heading and everything after it', () => {
    const text = '# Title\n\nintro\n\n## Options\n(a) keep\n(b) fix\n\n## My call\nGo with (b).\r\nIt is cheap.\n\n';
    assert.equal(closingSection(text), '## My call\nGo with (b).\nIt is cheap.');
  });

  void test('without headings: the last paragraph', () => {
    assert.equal(
      closingSection('Stopped: GPU OOM.\n\nI think we should halve the batch.\nThen rerun.\n'),
      'I think we should halve the batch.\nThen rerun.',
    );
  });

  void test('headings inside fenced code do not count, a fence stays in its paragraph', () => {
    const text = '## Findings\nsee below\n\n```sh\n# not a heading\n\nrun.sh\n```\n';
    assert.equal(closingSection(text), '## Findings\nsee below\n\n```sh\n# not a heading\n\nrun.sh\n```');
  });

  void test('an empty last heading falls back to the last paragraph; empty text gives ""', () => {
    assert.equal(closingSection('Do (a).\n\n## Recommendation\n\n'), 'Do (a).');
    assert.equal(closingSection('First.\n\nDo (a).\n## Recommendation\n'), 'Do (a).');
    assert.equal(closingSection('# Only a heading\n'), '');
    assert.equal(closingSection(''), '');
    assert.equal(closingSection('\n\n  \n'), '');
  });

  void test('very long sections are cut', () => {
    const s = closingSection(`## Recommendation\n${'x'.repeat(10_000)}`);
    assert.equal(s.length, 4000);
    assert.ok(s.endsWith('…'));
  });
});

void describe('names, decisions, texts', () => {
  void test('topics: safe names only; the file name form is accepted', () => {
    assert.equal(topicFromFileName('PHONE-HOME-gpu-oom.md'), 'gpu-oom');
    assert.equal(topicFromFileName('PHONE-HOME-.md'), undefined);
    assert.equal(topicFromFileName('PHONE-HOME-a b.md'), undefined);
    assert.equal(topicFromFileName('PHONE-HOME-x..y.md'), undefined);
    assert.equal(normalizeTopic('PHONE-HOME-eval_v2.md'), 'eval_v2');
    assert.equal(normalizeTopic(' eval.v2 '), 'eval.v2');
    for (const bad of ['../x', 'a/b', '..', '.hidden', '', 'x;rm', 'ü', 42]) {
      assert.equal(normalizeTopic(bad), undefined, String(bad));
    }
  });

  void test('decisions: letters and names, nothing else', () => {
    assert.equal(parseDecision('a'), 'accept-and-revise');
    assert.equal(parseDecision('B'), 'rerun-with-fix');
    assert.equal(parseDecision('(c)'), 'halt-for-review');
    assert.equal(parseDecision('Rerun-With-Fix'), 'rerun-with-fix');
    for (const bad of ['d', 'accept', '', undefined, 1]) assert.equal(parseDecision(bad), undefined);
  });

  void test('job ids and text keys', () => {
    assert.equal(jobWorkflowId('rtx', 'Fix the GPU OOM!'), 'job-rtx-fix-the-gpu-oom');
    assert.equal(slugify('../..'), 'job');
    assert.equal(textKey('a\r\nb\n'), textKey('a\nb'));
    assert.notEqual(textKey('a'), textKey('b'));
  });

  void test('the resolution text names the phone-home, the decision, the note and the amended directive', () => {
    const text = resolutionMessage({
      jobId: 'job-rtx-eval',
      reason: 'phone-home',
      file: '~/w/inbox/rtx/PHONE-HOME-eval.md',
      budgetMs: 2 * 3_600_000,
      resolution: {
        decision: 'rerun-with-fix',
        note: 'use lr 1e-4',
        by: 'alice',
        topic: 'eval',
        amendedDirective: 'Run phase 2 again.\nThen stop.',
      },
    });
    assert.equal(
      text,
      [
        '[peer-comms] Job job-rtx-eval: resolution of phone-home "eval" (~/w/inbox/rtx/PHONE-HOME-eval.md).',
        'Decision: (b) rerun-with-fix - re-run with the amended directive below.',
        'Note from alice: use lr 1e-4',
        'Budget: 2h from now.',
        'The phone-home file moves to the resolved folder of your inbox.',
        '',
        'Amended directive:',
        'Run phase 2 again.\nThen stop.',
      ].join('\n'),
    );
    const halt = resolutionMessage({
      jobId: 'j',
      reason: 'budget',
      spentBudgetMs: 90 * 60_000,
      resolution: { decision: 'halt-for-review', note: '' },
    });
    assert.match(halt, /budget of 1h30m ran out/);
    assert.match(halt, /\(c\) halt-for-review - stop now/);
    assert.doesNotMatch(halt, /Note/);
    assert.match(jobFooter('job-x', '~/inbox/h'), /~\/inbox\/h\/DONE-job-x\.md/);
  });

  void test('inbox folder from workdir, inbox and inboxHost', () => {
    assert.equal(inboxDirOf('rtx', { workdir: '~/', inbox: 'inbox', inboxHost: undefined }), '~/inbox/rtx');
    assert.equal(
      inboxDirOf('rtx', { workdir: '/srv/w/', inbox: 'sartor/memory/inbox/', inboxHost: 'rtxserver' }),
      '/srv/w/sartor/memory/inbox/rtxserver',
    );
    assert.equal(inboxDirOf('rtx', { workdir: '~/w', inbox: '/var/inbox', inboxHost: undefined }), '/var/inbox/rtx');
  });

  void test('the scan output parser drops unsafe names and keeps truncation visible', () => {
    const b = (s: string) => Buffer.from(s).toString('base64');
    const out = [
      'dir',
      `file ${b('PHONE-HOME-x.md')} 1-70000 ${b('short')}`,
      `file ${b('PHONE-HOME-a b.md')} 1-3 ${b('bad')}`,
      `known ${b('PHONE-HOME-y.md')} 2-5`,
      `over ${b('PHONE-HOME-z.md')}`,
      '',
    ].join('\n');
    const r = parseScanOutput(out, '~/i/h', 'DONE-j.md');
    assert.equal(r.exists, true);
    assert.deepEqual(
      r.phoneHomes.map((f) => [f.name, f.text, f.bytes, f.truncated]),
      [['PHONE-HOME-x.md', 'short', 70000, true]],
    );
    assert.deepEqual(r.unchanged, ['PHONE-HOME-y.md']);
    assert.deepEqual(
      r.skipped.map((s) => s.name),
      ['PHONE-HOME-a b.md', 'PHONE-HOME-z.md'],
    );
  });
});

void describe('scanInbox and resolvePhoneHome on a real folder', () => {
  let home = '';
  let shell: LocalShell | undefined;
  let acts: ReturnType<typeof createInboxActivities>;
  const inbox = () => join(home, 'work', 'inbox', 'hostA');

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'pc-inbox-'));
    shell = new LocalShell('local', { home });
    const config = configSchema.parse({
      peers: { local: { via: 'local', workdir: '~/work', inboxHost: 'hostA', jobs: { scanInterval: '5m' } } },
    });
    const deps: PeerDeps = {
      config,
      shells: { get: async () => shell! },
      now: () => Date.now(),
      sleep: async () => undefined,
    };
    acts = createInboxActivities(deps);
  });

  after(async () => {
    await shell?.close();
    await rm(home, { recursive: true, force: true });
  });

  void test('a missing inbox is not an error', async () => {
    const r = await acts.scanInbox({ peer: 'local', jobId: 'job-local-x' });
    assert.equal(r.exists, false);
    assert.equal(r.inboxDir, '~/work/inbox/hostA');
    assert.equal(r.scanIntervalMs, 5 * 60_000);
    assert.deepEqual(r.phoneHomes, []);
  });

  void test('reads phone-homes and the DONE marker, byte-exact; known files come back without text', async () => {
    await mkdir(inbox(), { recursive: true });
    const text = '# Stop\r\n\nquotes \' " `$(x)` ; tabs\t and ünïcödé\n\n## Recommendation\n(b)\n';
    await writeFile(join(inbox(), 'PHONE-HOME-eval.md'), text);
    await writeFile(join(inbox(), 'PHONE-HOME-big.md'), 'y'.repeat(70 * 1024));
    await writeFile(join(inbox(), 'PHONE-HOME-bad name.md'), 'x');
    await writeFile(join(inbox(), 'DONE-job-local-x.md'), 'all done');
    await writeFile(join(inbox(), 'DONE-other-job.md'), 'not ours');
    await writeFile(join(inbox(), 'notes.md'), 'not a phone-home');

    const r = await acts.scanInbox({ peer: 'local', jobId: 'job-local-x' });
    assert.equal(r.exists, true);
    const byName = new Map(r.phoneHomes.map((f) => [f.name, f]));
    assert.deepEqual([...byName.keys()].sort(), ['PHONE-HOME-big.md', 'PHONE-HOME-eval.md']);
    const evalFile = byName.get('PHONE-HOME-eval.md')!;
    assert.equal(evalFile.text, text);
    assert.equal(evalFile.path, '~/work/inbox/hostA/PHONE-HOME-eval.md');
    assert.equal(evalFile.bytes, Buffer.byteLength(text));
    assert.equal(evalFile.truncated, false);
    const big = byName.get('PHONE-HOME-big.md')!;
    assert.equal(big.text.length, 64 * 1024);
    assert.equal(big.bytes, 70 * 1024);
    assert.equal(big.truncated, true);
    const done = r.done;
    assert.ok(done);
    assert.equal(done.text, 'all done');
    assert.deepEqual(
      r.skipped.map((s) => s.name),
      ['PHONE-HOME-bad name.md'],
    );

    const again = await acts.scanInbox({
      peer: 'local',
      jobId: 'job-local-x',
      known: { 'PHONE-HOME-eval.md': evalFile.sum, 'DONE-job-local-x.md': done.sum },
    });
    assert.deepEqual(again.unchanged.sort(), ['DONE-job-local-x.md', 'PHONE-HOME-eval.md']);
    assert.equal(again.done, undefined);
    assert.deepEqual(
      again.phoneHomes.map((f) => f.name),
      ['PHONE-HOME-big.md'],
    );

    await writeFile(join(inbox(), 'PHONE-HOME-eval.md'), `${text}changed\n`);
    const changed = await acts.scanInbox({
      peer: 'local',
      jobId: 'job-local-x',
      known: { 'PHONE-HOME-eval.md': evalFile.sum },
      withText: false,
    });
    const ev = changed.phoneHomes.find((f) => f.name === 'PHONE-HOME-eval.md');
    assert.ok(ev, 'a changed file is new again');
    assert.equal(ev.text, '');
    assert.notEqual(ev.sum, evalFile.sum);
  });

  void test('resolvePhoneHome moves the file into resolved/, never over an earlier one', async () => {
    await mkdir(inbox(), { recursive: true });
    await writeFile(join(inbox(), 'PHONE-HOME-twice.md'), 'first');
    const first = await acts.resolvePhoneHome({ peer: 'local', topic: 'twice' });
    assert.deepEqual(first, {
      moved: true,
      from: '~/work/inbox/hostA/PHONE-HOME-twice.md',
      to: '~/work/inbox/hostA/resolved/PHONE-HOME-twice.md',
    });
    await writeFile(join(inbox(), 'PHONE-HOME-twice.md'), 'second');
    const second = await acts.resolvePhoneHome({ peer: 'local', topic: 'twice' });
    assert.equal(second.to, '~/work/inbox/hostA/resolved/PHONE-HOME-twice.md.1');
    const resolved = join(inbox(), 'resolved');
    assert.deepEqual((await readdir(resolved)).sort(), ['PHONE-HOME-twice.md', 'PHONE-HOME-twice.md.1']);
    assert.equal(await readFile(join(resolved, 'PHONE-HOME-twice.md'), 'utf8'), 'first');
    assert.equal(await readFile(join(resolved, 'PHONE-HOME-twice.md.1'), 'utf8'), 'second');

    const missing = await acts.resolvePhoneHome({ peer: 'local', topic: 'never-written' });
    assert.equal(missing.moved, false);
    await assert.rejects(
      acts.resolvePhoneHome({ peer: 'local', topic: '../etc' }),
      (err: Error & { type?: string }) => {
        assert.equal(err.type, 'UnsafeInboxName');
        return true;
      },
    );
    await assert.rejects(acts.scanInbox({ peer: 'local', jobId: 'a/../b' }), /cannot name a file/);
  });
});
