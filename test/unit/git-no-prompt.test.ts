/**
 * gitSync never asks anybody anything. Real git against remotes that want a login nobody can
 * give: a loopback HTTP server answering 401 to git's smart-HTTP requests, and the test sshd
 * (password allowed, our key unknown; or a key with a passphrase). The environment is set up
 * the way a desktop would be: GIT_ASKPASS and SSH_ASKPASS point at a program that logs each
 * call (as an editor's askpass window would open), SSH_ASKPASS_REQUIRE=force. The sync must
 * fail within seconds, non-retryable, naming the remote, the repo and the fix, and the askpass
 * program must never run. A control run of plain git in the same environment shows it would.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { ControllerDeps } from '../../src/activities';
import { execGit } from '../../src/activities/git-run';
import { batchSshCommand, noPromptEnv } from '../../src/activities/git-run';
import { authFailureLine, createGitSync } from '../../src/activities/git-sync';
import { configSchema } from '../../src/config/schema';
import { startSshd, type SshdFixture } from '../helpers/sshd';

const run = promisify(execFile);

function deps(repo: string): Pick<ControllerDeps, 'config' | 'runGit'> {
  return {
    config: configSchema.parse({ controller: { repo }, peers: { local: { via: 'local' } } }),
    runGit: execGit,
  };
}

interface Failure extends Error {
  type?: string;
  nonRetryable?: boolean;
}

/** Runs the sync, expects it to fail, returns the failure and how long it took. */
async function failingSync(repo: string): Promise<{ err: Failure; ms: number }> {
  const t0 = Date.now();
  try {
    await createGitSync(deps(repo))({ jobId: 'job-np' });
  } catch (err) {
    return { err: err as Failure, ms: Date.now() - t0 };
  }
  assert.fail('gitSync succeeded against a remote that refuses every login');
}

void describe('batchSshCommand: keeps the user’s ssh, adds batch mode', () => {
  void test('OpenSSH gets -o BatchMode=yes after what the user gave', () => {
    assert.equal(batchSshCommand({}), 'ssh -o BatchMode=yes');
    assert.equal(batchSshCommand({ GIT_SSH_COMMAND: 'ssh -i ~/.ssh/work' }), 'ssh -i ~/.ssh/work -o BatchMode=yes');
    assert.equal(
      batchSshCommand({}, { coreSshCommand: '"C:\\Program Files\\Git\\usr\\bin\\ssh.exe" -F cfg' }),
      '"C:\\Program Files\\Git\\usr\\bin\\ssh.exe" -F cfg -o BatchMode=yes',
    );
    assert.equal(batchSshCommand({ GIT_SSH: '/usr/bin/ssh' }), '/usr/bin/ssh -o BatchMode=yes');
    // one POSIX quoting for the whole code base (config/quote.ts): bare when safe, else single quotes
    assert.equal(batchSshCommand({ GIT_SSH: '/opt/my tools/ssh' }), `'/opt/my tools/ssh' -o BatchMode=yes`);
  });

  void test('git’s order: GIT_SSH_COMMAND, then core.sshCommand, then GIT_SSH', () => {
    const core = { coreSshCommand: 'ssh -i core' };
    assert.equal(
      batchSshCommand({ GIT_SSH_COMMAND: 'ssh -i env', GIT_SSH: 'plink' }, core),
      'ssh -i env -o BatchMode=yes',
    );
    assert.equal(batchSshCommand({ GIT_SSH: 'plink' }, core), 'ssh -i core -o BatchMode=yes');
  });

  void test('plink gets -batch, TortoisePlink (git adds -batch) and unknown wrappers are left alone', () => {
    assert.equal(
      batchSshCommand({ GIT_SSH: 'C:\\Program Files\\PuTTY\\plink.exe' }),
      `'C:\\Program Files\\PuTTY\\plink.exe' -batch`,
    );
    assert.equal(batchSshCommand({ GIT_SSH: 'C:\\TortoiseGit\\bin\\TortoisePlink.exe' }), undefined);
    assert.equal(batchSshCommand({ GIT_SSH_COMMAND: 'my-ssh-wrapper --x' }), undefined);
    assert.equal(
      batchSshCommand({ GIT_SSH_COMMAND: 'my-ssh-wrapper', GIT_SSH_VARIANT: 'ssh' }),
      'my-ssh-wrapper -o BatchMode=yes',
    );
    assert.equal(batchSshCommand({}, { coreSshCommand: 'wrap', sshVariant: 'putty' }), 'wrap -batch');
  });

  void test('noPromptEnv switches every prompt off and keeps the rest', () => {
    const env = noPromptEnv({ PATH: '/bin', GIT_ASKPASS: '/opt/code/askpass.sh', GIT_TERMINAL_PROMPT: '1' });
    assert.equal(env.PATH, '/bin');
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
    assert.equal(env.GIT_ASKPASS, '');
    assert.equal(env.GCM_INTERACTIVE, 'never');
    assert.equal(env.SSH_ASKPASS_REQUIRE, 'never');
    assert.equal(env.GIT_SSH_COMMAND, 'ssh -o BatchMode=yes');
  });

  void test('auth failures are recognised, other fetch failures are not', () => {
    for (const line of [
      "fatal: could not read Username for 'https://example.invalid': terminal prompts disabled",
      "fatal: Authentication failed for 'https://example.invalid/r.git/'",
      'fatal: Cannot prompt because user interactivity has been disabled.',
      'git@example.invalid: Permission denied (publickey).',
      'Host key verification failed.',
    ]) {
      assert.equal(authFailureLine(`noise\n${line}\nfatal: Could not read from remote repository.`), line);
    }
    assert.equal(authFailureLine("fatal: 'nowhere' does not appear to be a git repository"), undefined);
    assert.equal(authFailureLine('fatal: unable to access: Could not resolve host: example.invalid'), undefined);
  });
});

void describe('gitSync against remotes that want a login', () => {
  let root = '';
  let askpassLog = '';
  let sshLog = '';
  let bin = '';
  let server: Server | undefined;
  let port = 0;
  let requests = 0;
  let sshd: SshdFixture | undefined;
  const saved = new Map<string, string | undefined>();

  /** Sets (or with undefined, removes) a variable of this process until the suite ends. */
  function setEnv(name: string, value: string | undefined): void {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }

  async function controllerRepo(name: string, remoteUrl: string): Promise<string> {
    const repo = join(root, name);
    await run('git', ['init', '-q', '-b', 'main', repo]);
    await writeFile(join(repo, 'README.md'), 'start\n');
    const id = ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false'];
    await run('git', [...id, 'add', 'README.md'], { cwd: repo });
    await run('git', [...id, 'commit', '-q', '-m', 'start'], { cwd: repo });
    await run('git', ['remote', 'add', 'origin', remoteUrl], { cwd: repo });
    return repo;
  }

  async function askpassCalls(): Promise<string> {
    return readFile(askpassLog, 'utf8').catch(() => '');
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-git-np-'));
    askpassLog = join(root, 'askpass.calls');
    sshLog = join(root, 'ssh.calls');
    bin = join(root, 'bin');
    await mkdir(bin);
    // The "window" that must never open: logs the prompt and answers, as a GUI would.
    const askpass = join(bin, 'askpass');
    await writeFile(askpass, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${askpassLog}'\necho guessed\n`, { mode: 0o755 });
    // An `ssh` of the user's own (first word "ssh", so git and we treat it as OpenSSH) that logs its arguments.
    await writeFile(join(bin, 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${sshLog}'\nexec /usr/bin/ssh "$@"\n`, {
      mode: 0o755,
    });
    const emptyConfig = join(root, 'gitconfig');
    await writeFile(emptyConfig, '');

    setEnv('GIT_CONFIG_GLOBAL', emptyConfig); // no credential helper of this machine's user
    setEnv('GIT_CONFIG_NOSYSTEM', '1');
    setEnv('GIT_ASKPASS', askpass);
    setEnv('SSH_ASKPASS', askpass);
    setEnv('SSH_ASKPASS_REQUIRE', 'force');
    setEnv('DISPLAY', ':0');
    setEnv('GIT_TERMINAL_PROMPT', undefined);
    setEnv('GCM_INTERACTIVE', undefined);
    setEnv('GIT_SSH_COMMAND', undefined);
    setEnv('GIT_SSH', undefined);
    setEnv('SSH_AUTH_SOCK', undefined); // no agent that might hold a key the sshd accepts

    const srv = createServer((req, res) => {
      requests++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="peer-comms test"', 'Content-Length': '0' });
      res.end();
    });
    server = srv;
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const addr = srv.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
  });

  after(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await sshd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  void test('control: plain git in this environment does run the askpass program', async () => {
    const repo = await controllerRepo('control-http', `http://127.0.0.1:${port}/peer.git`);
    await assert.rejects(run('git', ['fetch', 'origin'], { cwd: repo }));
    assert.match(await askpassCalls(), /Username for 'http:\/\/127\.0\.0\.1:\d+'/);
    await rm(askpassLog, { force: true });
  });

  void test('https answering 401: fails in seconds, non-retryable, names remote, repo and fix; no prompt', async () => {
    const url = `http://127.0.0.1:${port}/peer.git`;
    const repo = await controllerRepo('http', url);
    const before = requests;
    const { err, ms } = await failingSync(repo);
    assert.ok(requests > before, 'git did ask the server');
    assert.ok(ms < 15_000, `took ${ms} ms`);
    assert.equal(err.type, 'GitSyncFailed');
    assert.equal(err.nonRetryable, true);
    assert.ok(err.message.includes(`git fetch origin (${url}) in ${repo}`), err.message);
    assert.match(err.message, /terminal prompts disabled|Authentication failed/);
    assert.match(err.message, /never prompts/);
    assert.match(err.message, /credential helper/);
    assert.equal(await askpassCalls(), '');
  });

  void test('a password in the remote URL is not repeated in the message', async () => {
    const repo = await controllerRepo('http-userinfo', `http://ada:hunter2@127.0.0.1:${port}/peer.git`);
    const { err } = await failingSync(repo);
    assert.equal(err.nonRetryable, true, err.message);
    assert.ok(!err.message.includes('hunter2'), err.message);
    assert.ok(err.message.includes(`http://ada:***@127.0.0.1:${port}/peer.git`), err.message);
    assert.equal(await askpassCalls(), '');
  });

  void describe('over ssh (the test sshd; password allowed, keys it does not know or cannot use)', () => {
    let unknownKey = '';
    let passphraseKey = '';
    let sshUrl = '';
    let userOptions = '';

    before(async () => {
      sshd = await startSshd({
        extraConfig: ['Match Address 127.0.0.1', '  PasswordAuthentication yes', '  KbdInteractiveAuthentication yes'],
      });
      unknownKey = join(root, 'unknown_ed25519');
      passphraseKey = join(root, 'passphrase_ed25519');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', unknownKey]);
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', passphraseKey]);
      // The sshd accepts the passphrase key, so only its passphrase stands between git and the repo.
      await appendFile(join(sshd.dir, 'authorized_keys'), await readFile(`${passphraseKey}.pub`, 'utf8'));
      sshUrl = `ssh://${userInfo().username}@127.0.0.1:${sshd.port}${join(root, 'nothing.git')}`;
      userOptions = `-F /dev/null -o IdentitiesOnly=yes -o UserKnownHostsFile=${sshd.knownHostsPath}`;
    });

    void test('control: ssh without batch mode in this environment does ask (askpass)', async () => {
      const repo = await controllerRepo('control-ssh', sshUrl);
      await rm(askpassLog, { force: true });
      await assert.rejects(
        run('git', ['fetch', 'origin'], {
          cwd: repo,
          env: { ...process.env, GIT_SSH_COMMAND: `${join(bin, 'ssh')} ${userOptions} -i ${passphraseKey}` },
        }),
      );
      assert.match(await askpassCalls(), /passphrase/i);
      await rm(askpassLog, { force: true });
    });

    void test('GIT_SSH_COMMAND kept (its -i), -o BatchMode=yes added; password not asked: fails fast', async () => {
      const repo = await controllerRepo('ssh-env', sshUrl);
      await rm(sshLog, { force: true });
      setEnv('GIT_SSH_COMMAND', `${join(bin, 'ssh')} ${userOptions} -i ${unknownKey}`);
      try {
        const { err, ms } = await failingSync(repo);
        assert.ok(ms < 15_000, `took ${ms} ms`);
        assert.equal(err.type, 'GitSyncFailed');
        assert.equal(err.nonRetryable, true, err.message);
        assert.ok(err.message.includes(`git fetch origin (${sshUrl}) in ${repo}`), err.message);
        assert.match(err.message, /Permission denied \(publickey,password/);
        assert.match(err.message, /ssh-add/);
      } finally {
        setEnv('GIT_SSH_COMMAND', undefined);
      }
      const calls = await readFile(sshLog, 'utf8');
      assert.ok(calls.includes(`-i ${unknownKey} -o BatchMode=yes`), calls);
      assert.equal(await askpassCalls(), '');
    });

    void test('core.sshCommand kept, batch mode added: a key with a passphrase is not asked for', async () => {
      const repo = await controllerRepo('ssh-core', sshUrl);
      await run('git', ['config', 'core.sshCommand', `${join(bin, 'ssh')} ${userOptions} -i ${passphraseKey}`], {
        cwd: repo,
      });
      await rm(sshLog, { force: true });
      const { err, ms } = await failingSync(repo);
      assert.ok(ms < 15_000, `took ${ms} ms`);
      assert.equal(err.nonRetryable, true, err.message);
      assert.match(err.message, /Permission denied/);
      const calls = await readFile(sshLog, 'utf8');
      assert.ok(calls.includes(`-i ${passphraseKey} -o BatchMode=yes`), calls);
      assert.equal(await askpassCalls(), '');
    });
  });
});
