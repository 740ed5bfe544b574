/**
 * Reading peer state through the CLI (`peek`, `inbox`, `log`) against the real stack: sshd on
 * 127.0.0.1, tmux, a stand-in agent, git repositories this test creates. SSH peers are read
 * directly; a `via: worker` peer through the readPeer workflow, whose activity runs on the peer's
 * own queue (an in-process peer worker over a LocalShell) — checked in the workflow history.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { createPeerActivities } from '../../src/activities';
import type { Config } from '../../src/config/schema';
import type { InboxListing, PeekResult, RecentCommits } from '../../src/contracts/read-peer';
import { peerTaskQueue } from '../../src/contracts/route';
import { LocalShell } from '../../src/peer-access/local-shell';
import { runCli, type CliRun } from '../helpers/cli';
import { addAgent, makeConfig, startStack, withWorker, type AgentPeer, type Stack } from '../helpers/stack';
import { uniqueQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

interface JsonOut<T> {
  ok: boolean;
  peer: string;
  what: string;
  via: string;
  workflowId?: string;
  taskQueue?: string;
  result: T;
  error?: { type: string; message: string };
}

async function configFile(config: Config, name: string): Promise<string> {
  const path = join(stack.dir, `${name}.json`);
  // JSON is YAML: the CLI reads it like a hand-written peers.yaml
  await writeFile(path, JSON.stringify(config));
  return path;
}

async function cli(cfg: string, args: string[]): Promise<CliRun> {
  return runCli(stack, ['--config', cfg, ...args]);
}

function json<T>(run: CliRun): JsonOut<T> {
  try {
    return JSON.parse(run.stdout) as JsonOut<T>;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Peer Agent', '-c', 'user.email=peer@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

describe('reading peer state (SSH peers, directly)', () => {
  it('peek: the pane tail and its state (idle, then working), -n, --json; a missing session is named', async () => {
    const peer = await addAgent(stack, { workMs: 8000 });
    const gone = await addAgent(stack, {}, { start: false });
    const cfg = await configFile(makeConfig(stack, [peer, gone]), `peek-${peer.name}`);

    const idle = await cli(cfg, ['peek', peer.name]);
    assert.equal(idle.code, 0, idle.stderr);
    assert.match(idle.stdout, /❯/);
    const last = idle.stdout.trimEnd().split('\n').pop() ?? '';
    assert.match(last, new RegExp(`^──── ${peer.name} ${peer.session}:0\\.0 · last \\d+ lines .*· state: idle$`));

    const three = json<PeekResult>(await cli(cfg, ['peek', peer.name, '-n', '3', '--json']));
    assert.equal(three.ok, true);
    assert.equal(three.via, 'ssh');
    assert.equal(three.result.state, 'idle');
    assert.equal(three.result.lines.length, 3);
    // more lines than the screen holds: the scrollback above it is read too (capture-pane -S -2000)
    const all = json<PeekResult>(await cli(cfg, ['peek', peer.name, '-n', '2000', '--json']));
    assert.equal(all.ok, true);
    assert.ok(all.result.lines.length >= 3 && all.result.lines.length <= 2000);
    assert.equal(all.result.lines.at(-1), three.result.lines.at(-1));

    await stack.tmux.sendLiteral(`${peer.session}:0.0`, 'keep busy');
    await stack.tmux.sendKeys(`${peer.session}:0.0`, 'C-m');
    await waitFor(async () => /esc to interrupt/.test(await stack.tmux.capture(`${peer.session}:0.0`)), {
      timeoutMs: 10_000,
      what: 'the stand-in to work',
    });
    const busy = await cli(cfg, ['peek', peer.name, '-n', '5']);
    assert.equal(busy.code, 0, busy.stderr);
    assert.match(busy.stdout, /state: working \(.*esc to interrupt/);

    const none = await cli(cfg, ['peek', gone.name]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, new RegExp(`${gone.name}: cannot read the pane ${gone.session}:0\\.0: .*preflight`));
    const noneJson = json<PeekResult>(await cli(cfg, ['peek', gone.name, '--json']));
    assert.equal(noneJson.ok, false);
    assert.equal(noneJson.result.state, 'no-session');

    const bad = await cli(cfg, ['peek', peer.name, '-n', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /-n: expected a number of lines from 1 to 2000/);
  });

  it('inbox: phone-homes with their heading, DONE markers, resolved/; a missing folder is not an error', async () => {
    const peer = await addAgent(stack, {}, { start: false });
    const empty = await addAgent(stack, {}, { start: false });
    const cfg = await configFile(makeConfig(stack, [peer, empty]), `inbox-${peer.name}`);
    const inbox = join(peer.dir, 'inbox', peer.name);
    await mkdir(join(inbox, 'resolved'), { recursive: true });
    await writeFile(
      join(inbox, 'PHONE-HOME-gpu-oom.md'),
      'Some preamble\n\n## GPU OOM at batch 32\n\nDetails…\n\n## Recommendation\nHalve it.\n',
    );
    await writeFile(join(inbox, `DONE-job-${peer.name}-e2e.md`), 'finished\n');
    await writeFile(join(inbox, 'resolved', 'PHONE-HOME-thermal.md'), '# Thermal\n');
    await writeFile(join(inbox, 'RESUME-notes.md'), 'later\n');

    const text = await cli(cfg, ['inbox', peer.name]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^${peer.name} inbox .*inbox/${peer.name}$`, 'm'));
    assert.match(
      text.stdout,
      /phone-homes \(1\):\n\s+PHONE-HOME-gpu-oom\.md\s+\d+ B\s+.* ago\)\s+"GPU OOM at batch 32"/,
    );
    assert.match(
      text.stdout,
      new RegExp(`DONE markers \\(1\\):\\n\\s+DONE-job-${peer.name}-e2e\\.md .* job job-${peer.name}-e2e`),
    );
    assert.match(text.stdout, /other \(1\):\n\s+RESUME-notes\.md/);
    assert.match(text.stdout, /resolved\/ \(1\):\n\s+PHONE-HOME-thermal\.md/);

    const j = json<InboxListing>(await cli(cfg, ['inbox', peer.name, '--json']));
    assert.equal(j.ok, true);
    assert.equal(j.result.exists, true);
    assert.deepEqual(
      j.result.phoneHomes.map((p) => [p.name, p.topic, p.heading]),
      [['PHONE-HOME-gpu-oom.md', 'gpu-oom', 'GPU OOM at batch 32']],
    );
    assert.ok((j.result.phoneHomes[0]?.mtimeMs ?? 0) > Date.now() - 600_000, 'mtime in epoch ms');
    assert.equal(j.result.done[0]?.jobId, `job-${peer.name}-e2e`);
    assert.equal(j.result.resolvedTotal, 1);

    const missing = await cli(cfg, ['inbox', empty.name]);
    assert.equal(missing.code, 0, missing.stderr);
    assert.match(missing.stdout, new RegExp(`^${empty.name}: no inbox folder at .*inbox/${empty.name} yet`));
  });

  it('log: branch, status summary and commits of the workdir; a non-git workdir gets a readable message', async () => {
    const peer = await addAgent(stack, {}, { start: false });
    const plain = await addAgent(stack, {}, { start: false });
    const cfg = await configFile(makeConfig(stack, [peer, plain]), `log-${peer.name}`);
    git(peer.dir, 'init', '-q', '-b', 'main');
    await writeFile(join(peer.dir, 'a.txt'), 'one\n');
    git(peer.dir, 'add', 'a.txt');
    git(peer.dir, 'commit', '-q', '-m', 'first commit');
    await writeFile(join(peer.dir, 'a.txt'), 'two\n');
    git(peer.dir, 'commit', '-q', '-am', 'second: thermal baseline');
    await writeFile(join(peer.dir, 'a.txt'), 'three\n'); // modified, not committed
    const indexBefore = execFileSync('stat', ['-c', '%Y %s', join(peer.dir, '.git', 'index')], { encoding: 'utf8' });

    const text = await cli(cfg, ['log', peer.name]);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^${peer.name} .*: on main; 1 modified, \\d+ untracked$`));
    assert.match(lines[1] ?? '', /^ {2}[0-9a-f]{7,} +\S+ ago {2}second: thermal baseline {2}\(Peer Agent\)$/);
    assert.match(lines[2] ?? '', /first commit/);
    assert.match(text.stdout, /status.*:\n\s+ M a\.txt/);

    const one = json<RecentCommits>(await cli(cfg, ['log', peer.name, '-n', '1', '--json']));
    assert.equal(one.ok, true);
    assert.equal(one.result.git?.branch, 'main');
    assert.deepEqual(
      one.result.commits.map((c) => c.subject),
      ['second: thermal baseline'],
    );
    assert.equal(one.result.commits[0]?.hash, git(peer.dir, 'rev-parse', '--short', 'HEAD'));
    // read-only: not even the index was refreshed
    assert.equal(
      execFileSync('stat', ['-c', '%Y %s', join(peer.dir, '.git', 'index')], { encoding: 'utf8' }),
      indexBefore,
    );

    const notRepo = await cli(cfg, ['log', plain.name]);
    assert.equal(notRepo.code, 1);
    assert.match(
      notRepo.stderr,
      new RegExp(`^${plain.name}: the workdir .*${plain.name} is not a git repository .*peers file`),
    );
    const notRepoJson = json<RecentCommits>(await cli(cfg, ['log', plain.name, '--json']));
    assert.equal(notRepoJson.ok, false);
    assert.equal(notRepoJson.result.git, null);
  });

  it('log: git over SSH runs no command from the repository config (fsmonitor, a filter driver, a pager)', async () => {
    const peer = await addAgent(stack, {}, { start: false });
    const cfg = await configFile(makeConfig(stack, [peer]), `log-hostile-${peer.name}`);
    const marker = join(stack.dir, `${peer.name}.ran`);
    const evil = join(stack.dir, `${peer.name}-evil.sh`);
    await writeFile(evil, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat\n`, { mode: 0o755 });
    git(peer.dir, 'init', '-q', '-b', 'main');
    await writeFile(join(peer.dir, 'a.txt'), 'one\n');
    git(peer.dir, 'add', 'a.txt');
    git(peer.dir, 'commit', '-q', '-m', 'first commit');
    // What an agent (or anyone who can write the checkout) could put into .git/config.
    git(peer.dir, 'config', 'core.fsmonitor', evil);
    git(peer.dir, 'config', 'core.pager', evil);
    git(peer.dir, 'config', 'filter.x.y.clean', evil);
    await writeFile(join(peer.dir, '.git', 'info', 'attributes'), '* filter=x.y\n');
    await writeFile(join(peer.dir, 'a.txt'), 'two\n');
    // A plain git status does run them (else this test would prove nothing).
    execFileSync('git', ['status', '--porcelain'], { cwd: peer.dir, stdio: 'ignore' });
    assert.equal(existsSync(marker), true, 'plain git status ran nothing from the config');
    await rm(marker);

    const run = await cli(cfg, ['log', peer.name, '--json']);
    const j = json<RecentCommits>(run);
    assert.equal(j.ok, true, run.stderr);
    assert.ok(j.result.git?.status.includes(' M a.txt'), JSON.stringify(j.result.git));
    assert.deepEqual(
      j.result.commits.map((c) => c.subject),
      ['first commit'],
    );
    assert.equal(
      existsSync(marker),
      false,
      `a command from the repo config ran: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`,
    );
  });
});

describe('reading a via: worker peer (readPeer workflow, peer queue)', () => {
  it('peek and inbox run on the peer worker’s queue; without a peer worker the CLI says what to start', async () => {
    const agent = await addAgent(stack);
    // The same agent, reached only through its peer worker: no SSH settings at all.
    const workerEntry: Record<string, unknown> = { ...agent.entry, via: 'worker' };
    for (const k of ['host', 'port', 'user', 'privateKey', 'knownHosts']) delete workerEntry[k];
    const peer: AgentPeer = { ...agent, entry: workerEntry };
    const tq = uniqueQueue('read');
    const config = makeConfig(stack, [peer], {}, tq);
    const cfg = await configFile(config, `worker-${peer.name}`);
    const peerQueue = peerTaskQueue(tq, peer.name);

    // no controller worker: the readPeer workflow would never start, so the CLI says so at once
    const noController = await cli(cfg, ['peek', peer.name]);
    assert.equal(noController.code, 1);
    assert.match(
      noController.stderr,
      new RegExp(`no controller worker polls the task queue "${tq}".*peer-comms worker`),
    );

    await withWorker(
      stack,
      config,
      async () => {
        // no peer worker yet: a fast, readable failure
        const noWorker = await cli(cfg, ['peek', peer.name]);
        assert.equal(noWorker.code, 1);
        assert.match(
          noWorker.stderr,
          new RegExp(`no peer worker polls "${peerQueue}".*peer-comms worker --peer ${peer.name}`),
        );

        const shell = new LocalShell(peer.name);
        try {
          const peerWorker = await Worker.create({
            connection: stack.env.nativeConnection,
            namespace: stack.settings.namespace,
            taskQueue: peerQueue,
            identity: `test peer worker ${peer.name}`,
            activities: createPeerActivities({
              config,
              shells: {
                get: (name) =>
                  name === peer.name ? Promise.resolve(shell) : Promise.reject(new Error(`not this peer: ${name}`)),
              },
              now: () => Date.now(),
              sleep: (ms, signal) => delay(ms, undefined, { signal }),
            }),
            shutdownGraceTime: '1 second',
          });
          await peerWorker.runUntil(async () => {
            const run = await cli(cfg, ['peek', peer.name, '--json']);
            const out = json<PeekResult>(run);
            assert.equal(out.ok, true, run.stderr);
            assert.equal(out.via, 'worker');
            assert.equal(out.taskQueue, peerQueue);
            assert.equal(out.result.state, 'idle');
            assert.ok(out.result.lines.some((l) => l.includes('❯')));
            assert.match(out.workflowId ?? '', new RegExp(`^read-${peer.name}-peek-`));

            const history = await stack.env.client.workflow.getHandle(out.workflowId!).fetchHistory();
            const scheduled = (history.events ?? [])
              .map((e) => e.activityTaskScheduledEventAttributes)
              .filter((a) => a?.activityType?.name === 'peekPane');
            assert.equal(scheduled.length, 1);
            assert.equal(scheduled[0]?.taskQueue?.name, peerQueue);
            const started = (history.events ?? []).find((e) => e.activityTaskStartedEventAttributes);
            assert.equal(started?.activityTaskStartedEventAttributes?.identity, `test peer worker ${peer.name}`);

            const inbox = await cli(cfg, ['inbox', peer.name]);
            assert.equal(inbox.code, 0, inbox.stderr);
            assert.match(inbox.stdout, new RegExp(`^${peer.name}: no inbox folder at .* yet`));
          });
        } finally {
          await shell.close();
        }
      },
      tq,
    );
  });
});
