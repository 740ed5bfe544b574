/**
 * Which agent and key a connection uses: the agent choice on win32 / linux / darwin (the
 * platform, environment and pipe check injected), the `agent:` config values, key inspection
 * (passphrase-protected, PuTTY .ppk), the pre-start passphrase step and the messages.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { askSecret } from '../../src/cli/ask-secret';
import { UsageError } from '../../src/cli/exit';
import { checkPeerFiles, keyFileHint } from '../../src/cli/input-checks';
import { unlockKeys, type UnlockIo } from '../../src/cli/key-unlock';
import { ConfigError, parseConfigText } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { passphraseFor } from '../../src/peer-access/key-passphrases';
import {
  DEFAULT_PASSPHRASE_ENV,
  inspectKey,
  passphraseProblem,
  puttygenCommand,
} from '../../src/peer-access/private-key';
import { PeerAuthFailed } from '../../src/peer-access/shell';
import { OPENSSH_AGENT_PIPE, chooseAgent, namedPipeExists, type AgentEnv } from '../../src/peer-access/ssh-agent';
import { describeTried, planAuth, refusedHint } from '../../src/peer-access/ssh-auth';
import { agentSetting } from '../../src/workers/peer-shells';
import { rsaPpkV2 } from '../helpers/ppk';

const run = promisify(execFile);

/** An environment for chooseAgent that records the pipes it was asked about. */
function at(platform: NodeJS.Platform, env: Record<string, string>, pipe = false): AgentEnv & { asked: string[] } {
  const asked: string[] = [];
  return {
    platform,
    env,
    asked,
    pipeExists: (p) => {
      asked.push(p);
      return pipe;
    },
  };
}

describe('agent choice', () => {
  it('win32 without SSH_AUTH_SOCK: the OpenSSH agent pipe when it exists, else Pageant', () => {
    const withPipe = at('win32', {}, true);
    assert.deepEqual(chooseAgent(true, withPipe), {
      kind: 'agent',
      socket: '\\\\.\\pipe\\openssh-ssh-agent',
      label: 'the OpenSSH agent (\\\\.\\pipe\\openssh-ssh-agent)',
    });
    assert.deepEqual(withPipe.asked, [OPENSSH_AGENT_PIPE]);
    const noPipe = at('win32', { SSH_AUTH_SOCK: '' }, false);
    const pageant = chooseAgent(true, noPipe);
    assert.equal(pageant.kind === 'agent' && pageant.socket, 'pageant');
    assert.match(pageant.kind === 'agent' ? pageant.label : '', /^Pageant \(.*openssh-ssh-agent does not exist\)$/);
    assert.deepEqual(noPipe.asked, [OPENSSH_AGENT_PIPE]);
  });

  it('SSH_AUTH_SOCK wins on every platform, and the pipe is not probed', () => {
    for (const platform of ['win32', 'linux', 'darwin'] as const) {
      const env = at(platform, { SSH_AUTH_SOCK: '/tmp/agent.1' }, true);
      const c = chooseAgent(true, env);
      assert.equal(c.kind === 'agent' && c.socket, '/tmp/agent.1', platform);
      assert.deepEqual(env.asked, [], platform);
    }
  });

  it('linux and darwin without SSH_AUTH_SOCK: no agent, and the reason says so', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const env = at(platform, {}, true);
      const c = chooseAgent(true, env);
      assert.equal(c.kind, 'unavailable', platform);
      assert.match(c.kind === 'unavailable' ? c.why : '', /SSH_AUTH_SOCK is not set/);
      assert.deepEqual(env.asked, [], 'no named pipes off Windows');
    }
  });

  it('agent: false (or none) asks no agent', () => {
    assert.deepEqual(chooseAgent(false, at('win32', { SSH_AUTH_SOCK: '/x' }, true)), { kind: 'off' });
    assert.deepEqual(chooseAgent(undefined, at('linux', { SSH_AUTH_SOCK: '/x' })), { kind: 'off' });
  });

  it('agent: pageant, openssh and a path', () => {
    assert.deepEqual(chooseAgent('pageant', at('win32', { SSH_AUTH_SOCK: '/x' })), {
      kind: 'agent',
      socket: 'pageant',
      label: 'Pageant',
    });
    assert.equal(chooseAgent('pageant', at('linux', {})).kind, 'unavailable');
    // openssh on Windows is the pipe, even when SSH_AUTH_SOCK points elsewhere (e.g. Git Bash's agent)
    const win = chooseAgent('openssh', at('win32', { SSH_AUTH_SOCK: '/tmp/gitbash' }, false));
    assert.equal(win.kind === 'agent' && win.socket, OPENSSH_AGENT_PIPE);
    const lin = chooseAgent('openssh', at('linux', { SSH_AUTH_SOCK: '/run/a' }));
    assert.equal(lin.kind === 'agent' && lin.socket, '/run/a');
    assert.equal(chooseAgent('openssh', at('darwin', {})).kind, 'unavailable');
    const path = chooseAgent('/run/user/1000/agent.sock', at('linux', { SSH_AUTH_SOCK: '/other' }));
    assert.deepEqual(path, {
      kind: 'agent',
      socket: '/run/user/1000/agent.sock',
      label: 'the SSH agent at /run/user/1000/agent.sock',
    });
    const pipe = chooseAgent('\\\\.\\pipe\\my-agent', at('win32', {}));
    assert.equal(pipe.kind === 'agent' && pipe.socket, '\\\\.\\pipe\\my-agent');
  });

  it('the default pipe check: only "no such file" is absent', () => {
    assert.equal(namedPipeExists(OPENSSH_AGENT_PIPE), false, 'not a pipe name on Linux: no such file');
    assert.equal(namedPipeExists(__filename), true);
  });

  it('a socket path is expanded for the connection (~, $VAR); words and pipes are kept', () => {
    assert.equal(agentSetting('~/.ssh/agent.sock'), join(homedir(), '.ssh', 'agent.sock'));
    assert.equal(agentSetting('$HOME/agent.sock'), join(process.env.HOME ?? homedir(), 'agent.sock'));
    assert.equal(agentSetting('/run/a.sock'), '/run/a.sock');
    assert.equal(agentSetting('pageant'), 'pageant');
    assert.equal(agentSetting('openssh'), 'openssh');
    assert.equal(agentSetting('\\\\.\\pipe\\openssh-ssh-agent'), '\\\\.\\pipe\\openssh-ssh-agent');
    assert.equal(agentSetting(true), true);
  });
});

describe('agent: in the peers file', () => {
  const parseAgent = (yamlValue: string): Config['peers'][string] =>
    parseConfigText(
      ['peers:', '  a:', '    host: h', '    user: u', `    agent: ${yamlValue}`].join('\n'),
      'peers.yaml',
    ).peers.a!;
  const refused = (yamlValue: string): string => {
    try {
      parseAgent(yamlValue);
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.problems.join('\n');
    }
    assert.fail(`agent: ${yamlValue} was accepted`);
  };

  it('accepts true, false, pageant, openssh, absolute and ~/ paths and Windows pipes', () => {
    assert.equal(parseAgent('true').agent, true);
    assert.equal(parseAgent('pageant').agent, 'pageant');
    assert.equal(parseAgent('openssh').agent, 'openssh');
    assert.equal(parseAgent('/run/user/1000/ssh-agent.socket').agent, '/run/user/1000/ssh-agent.socket');
    assert.equal(parseAgent('~/.ssh/agent.sock').agent, '~/.ssh/agent.sock');
    assert.equal(parseAgent('$XDG_RUNTIME_DIR/ssh-agent.socket').agent, '$XDG_RUNTIME_DIR/ssh-agent.socket');
    assert.equal(parseAgent("'%USERPROFILE%\\agent.sock'").agent, '%USERPROFILE%\\agent.sock');
    assert.equal(parseAgent("'\\\\.\\pipe\\openssh-ssh-agent'").agent, '\\\\.\\pipe\\openssh-ssh-agent');
    assert.equal(parseAgent("'C:\\Users\\me\\agent.sock'").agent, 'C:\\Users\\me\\agent.sock');
    const off = parseConfigText(
      ['peers:', '  a:', '    host: h', '    user: u', '    privateKey: ~/.ssh/id'].join('\n'),
      'peers.yaml',
    ).peers.a!;
    assert.equal(off.agent, false);
  });

  it('refuses an empty string, a relative path, ~user and other types, saying what to give', () => {
    assert.match(refused('""'), /^peers\.a\.agent: an empty agent path; use true, false, pageant, openssh/m);
    assert.match(refused('agent.sock'), /^peers\.a\.agent: "agent\.sock" is a relative path, which would depend on/m);
    assert.match(refused('~bob/agent'), /only "~\/" \(this user's home\) is expanded/);
    assert.match(refused('3'), /^peers\.a\.agent: expected true, false, pageant, openssh, or the path/m);
  });

  it('passphraseEnv must be a variable name', () => {
    const cfg = parseConfigText(
      ['peers:', '  a:', '    host: h', '    user: u', '    privateKey: ~/k', '    passphraseEnv: WORK_KEY_PASS'].join(
        '\n',
      ),
      'peers.yaml',
    );
    assert.equal(cfg.peers.a!.passphraseEnv, 'WORK_KEY_PASS');
    assert.throws(
      () =>
        parseConfigText(
          ['peers:', '  a:', '    host: h', '    user: u', '    privateKey: ~/k', '    passphraseEnv: $X'].join('\n'),
          'peers.yaml',
        ),
      /passphraseEnv: an environment variable name/,
    );
  });
});

let dir: string;
const keys: Record<string, { path: string; bytes: Buffer }> = {};

async function keygen(name: string, args: string[]): Promise<void> {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', ...args, '-C', name, '-f', path]);
  keys[name] = { path, bytes: await readFile(path) };
}

async function writeKey(name: string, text: string): Promise<void> {
  const path = join(dir, name);
  await writeFile(path, text, { mode: 0o600 });
  keys[name] = { path, bytes: Buffer.from(text) };
}

const k = (name: string): { path: string; bytes: Buffer } => {
  const key = keys[name];
  if (!key) throw new Error(`no test key ${name}`);
  return key;
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peer-comms-keys-'));
  await keygen('plain_ed25519', ['-t', 'ed25519', '-N', '']);
  await keygen('locked_ed25519', ['-t', 'ed25519', '-N', 'correct horse']);
  await keygen('locked_rsa_pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'correct horse']);
  await writeKey('plain.ppk', rsaPpkV2().text);
  await writeKey('locked.ppk', rsaPpkV2({ passphrase: 'correct horse' }).text);
  // Headers are all inspectKey looks at for these: ssh2 cannot read either.
  await writeKey(
    'v3.ppk',
    'PuTTY-User-Key-File-3: ssh-ed25519\r\nEncryption: aes256-cbc\r\nComment: k\r\nPublic-Lines: 2\r\nAAAA\r\nKey-Derivation: Argon2id\r\n',
  );
  await writeKey(
    'v2-ed25519.ppk',
    'PuTTY-User-Key-File-2: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 1\nAAAA\n',
  );
  await writeKey('garbage', 'not a key\n');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('key inspection', () => {
  it('tells a usable key from a passphrase-protected one (OpenSSH, PEM and .ppk v2)', () => {
    assert.deepEqual(inspectKey(k('plain_ed25519').path, k('plain_ed25519').bytes), { kind: 'ok' });
    assert.deepEqual(inspectKey(k('plain.ppk').path, k('plain.ppk').bytes), { kind: 'ok' });
    for (const name of ['locked_ed25519', 'locked_rsa_pem', 'locked.ppk']) {
      assert.deepEqual(inspectKey(k(name).path, k(name).bytes), { kind: 'encrypted' }, name);
      assert.equal(passphraseProblem(k(name).bytes, 'correct horse'), undefined, name);
      assert.match(passphraseProblem(k(name).bytes, 'wrong') ?? '', /passphrase|Malformed/i, name);
    }
  });

  it('refuses PuTTY format 3 and non-RSA format 2 with the puttygen command', () => {
    const v3 = inspectKey(k('v3.ppk').path, k('v3.ppk').bytes);
    assert.equal(v3.kind, 'unusable');
    if (v3.kind !== 'unusable') return;
    assert.match(v3.problem, /a PuTTY key of format 3 \(aes256-cbc, passphrase hashed with Argon2\)/);
    assert.ok(v3.fix.includes(`puttygen ${k('v3.ppk').path} -O private-openssh -o ${join(dir, 'v3')}`), v3.fix);
    const ed = inspectKey(k('v2-ed25519.ppk').path, k('v2-ed25519.ppk').bytes);
    assert.equal(ed.kind, 'unusable');
    assert.match(ed.kind === 'unusable' ? ed.problem : '', /a PuTTY ssh-ed25519 key/);
  });

  it('refuses a public key and garbage', async () => {
    const pubPath = `${k('plain_ed25519').path}.pub`;
    const pub = inspectKey(pubPath, await readFile(pubPath));
    const garbage = inspectKey(k('garbage').path, k('garbage').bytes);
    assert.equal(garbage.kind, 'unusable');
    assert.match(garbage.kind === 'unusable' ? garbage.problem : '', /not a private key ssh2 can read/);
    assert.equal(pub.kind, 'unusable');
    assert.equal(pub.kind === 'unusable' && pub.problem, 'is a public key');
    assert.match(
      pub.kind === 'unusable' ? pub.fix : '',
      /privateKey names the private half \(.*plain_ed25519, without \.pub\)/,
    );
  });

  it('puttygen command: paths quoted for the shell of the platform (config/quote.ts); the output drops .ppk', () => {
    assert.equal(
      puttygenCommand('C:\\Users\\Jo Smith\\.ssh\\work.ppk', 'win32'),
      'puttygen "C:\\Users\\Jo Smith\\.ssh\\work.ppk" -O private-openssh -o "C:\\Users\\Jo Smith\\.ssh\\work"',
    );
    // PowerShell expands $ inside double quotes: single quotes there
    assert.equal(
      puttygenCommand('C:\\keys\\$work.ppk', 'win32'),
      "puttygen 'C:\\keys\\$work.ppk' -O private-openssh -o 'C:\\keys\\$work'",
    );
    // a POSIX shell expands $ and ` inside double quotes too: single quotes
    assert.equal(
      puttygenCommand("/home/jo/my keys/jo's $key.ppk", 'linux'),
      `puttygen '/home/jo/my keys/jo'\\''s $key.ppk' -O private-openssh -o '/home/jo/my keys/jo'\\''s $key'`,
    );
    assert.equal(puttygenCommand('/k/id', 'darwin'), 'puttygen /k/id -O private-openssh -o /k/id.openssh');
  });
});

describe('connection auth plan and messages', () => {
  const linuxNoAgent = at('linux', {});

  it('win32, agent: true in peers.yaml, SSH_AUTH_SOCK unset: the plan ssh2 gets names the OpenSSH pipe', async () => {
    const cfg = parseConfigText('peers:\n  w:\n    host: h\n    user: u\n    agent: true\n', 'peers.yaml');
    const plan = await planAuth(
      { peer: 'w', user: 'u', useAgent: agentSetting(cfg.peers.w!.agent) },
      at('win32', {}, true),
    );
    assert.equal(plan.agent?.socket, '\\\\.\\pipe\\openssh-ssh-agent');
    assert.equal(plan.privateKey, undefined);
    const pageant = await planAuth({ peer: 'w', user: 'u', useAgent: true }, at('win32', {}, false));
    assert.equal(pageant.agent?.socket, 'pageant');
  });

  it('a protected key without a passphrase fails before connecting, naming the key and the variable', async () => {
    const key = k('locked_ed25519').path;
    await assert.rejects(
      planAuth({ peer: 'p1', user: 'me', privateKeyPath: key, passphraseEnv: 'WORK_PASS' }, linuxNoAgent),
      (err: unknown) => {
        assert.ok(err instanceof PeerAuthFailed);
        assert.match(err.message, /^p1: SSH authentication as "me" failed \(the key .* is passphrase-protected/);
        assert.ok(err.message.includes(key));
        assert.match(err.message, /Set WORK_PASS in the environment/);
        assert.ok(!err.message.includes('authorized_keys'), 'not an authorized_keys problem');
        return true;
      },
    );
  });

  it('a wrong passphrase is named as such, with the key file', async () => {
    const key = k('locked.ppk').path;
    await assert.rejects(
      planAuth({ peer: 'p1', user: 'me', privateKeyPath: key, passphrase: 'nope' }, linuxNoAgent),
      (err: unknown) => {
        assert.ok(err instanceof PeerAuthFailed);
        assert.ok(err.message.includes(`wrong passphrase for the key ${key}`), err.message);
        assert.ok(!err.message.includes('nope'), 'the passphrase is never in a message');
        return true;
      },
    );
    const ok = await planAuth(
      { peer: 'p1', user: 'me', privateKeyPath: key, passphrase: 'correct horse' },
      linuxNoAgent,
    );
    assert.equal(ok.passphrase, 'correct horse');
    assert.equal(ok.agent, undefined);
  });

  it('a PuTTY v3 key is refused with the conversion command', async () => {
    await assert.rejects(
      planAuth({ peer: 'p1', user: 'me', privateKeyPath: k('v3.ppk').path }, linuxNoAgent),
      /format 3.*puttygen .*v3\.ppk -O private-openssh -o/s,
    );
  });

  it('no key and no agent names the reason', async () => {
    await assert.rejects(
      planAuth({ peer: 'p1', user: 'me', useAgent: true }, linuxNoAgent),
      /no private key configured and no SSH agent available: agent: true, but SSH_AUTH_SOCK is not set/,
    );
  });

  it('a refused login names the key and the agent that were tried; authorized_keys stays one possibility', async () => {
    const key = 'C:\\Users\\me\\.ssh\\id_ed25519';
    const agent = chooseAgent(true, at('win32', {}, true));
    const tried = describeTried(key, agent);
    assert.equal(
      tried,
      'the key C:\\Users\\me\\.ssh\\id_ed25519 and the OpenSSH agent (\\\\.\\pipe\\openssh-ssh-agent)',
    );
    const err = new PeerAuthFailed('rtx', 'alton', key, 'All configured authentication methods failed', {
      tried,
      hint: refusedHint('alton', key, agent),
    });
    assert.ok(err.message.includes(`tried ${tried}.`), err.message);
    assert.match(
      err.message,
      /may be missing from ~alton\/\.ssh\/authorized_keys on the peer; or the agent may hold no key the peer accepts \(list its keys with ssh-add -l\)/,
    );
    const plan = await planAuth(
      { peer: 'p', user: 'u', privateKeyPath: k('plain_ed25519').path, useAgent: true },
      at('win32', {}, false),
    );
    assert.equal(
      plan.tried,
      `the key ${k('plain_ed25519').path} and Pageant (SSH_AUTH_SOCK is not set and the OpenSSH agent pipe \\\\.\\pipe\\openssh-ssh-agent does not exist)`,
    );
  });
});

describe('passphrases before start', () => {
  const config = (peers: Record<string, string>, extra: string[] = []): Config =>
    parseConfigText(
      [
        'peers:',
        ...Object.entries(peers).flatMap(([name, key]) => [
          `  ${name}:`,
          '    host: h',
          '    user: u',
          `    privateKey: ${key}`,
          ...extra,
        ]),
      ].join('\n'),
      'peers.yaml',
    );
  const io = (env: Record<string, string>, answers?: string[]): UnlockIo & { questions: string[] } => {
    const questions: string[] = [];
    return {
      env,
      questions,
      readKey: (p) => readFile(p),
      ask: answers
        ? async (q) => {
            questions.push(q);
            return answers.shift() ?? '';
          }
        : undefined,
    };
  };
  const refusedWith = (re: RegExp) => (err: unknown) => {
    assert.ok(err instanceof UsageError, String(err));
    assert.match(`${err.message}\n${(err as { hint?: string }).hint ?? ''}`, re);
    return true;
  };

  it('takes the passphrase from PEER_COMMS_KEY_PASSPHRASE (or passphraseEnv) and checks it', async () => {
    const key = k('locked_ed25519').path;
    const typed = new Map<string, string>();
    const env: Record<string, string> = { [DEFAULT_PASSPHRASE_ENV]: 'correct horse', PATH: '/bin' };
    await unlockKeys('peers.yaml', config({ a: key }), ['a'], io(env), typed);
    assert.equal(typed.get(key), 'correct horse');
    // taken out of the environment, so no child process inherits it
    assert.deepEqual(env, { PATH: '/bin' });
    const per = config({ a: key }, ['    passphraseEnv: WORK_PASS']);
    await assert.rejects(
      unlockKeys(
        'peers.yaml',
        per,
        ['a'],
        io({ [DEFAULT_PASSPHRASE_ENV]: 'correct horse', WORK_PASS: 'wrong' }),
        new Map(),
      ),
      refusedWith(/the passphrase in WORK_PASS does not open the private key .*locked_ed25519/),
    );
  });

  it('with agent: set, a protected key without its passphrase is left to the agent: no question, no refusal', async () => {
    const ask = io({}, ['never asked']);
    const typed = new Map<string, string>();
    await unlockKeys('peers.yaml', config({ a: k('locked_ed25519').path }, ['    agent: true']), ['a'], ask, typed);
    assert.equal(ask.questions.length, 0);
    assert.equal(typed.size, 0);
  });

  it('without a variable and without a terminal: exit 2 before anything starts, naming key and variable', async () => {
    await assert.rejects(
      unlockKeys('peers.yaml', config({ a: k('locked_rsa_pem').path }), ['a'], io({}), new Map()),
      refusedWith(
        /peer "a": the private key .*locked_rsa_pem is passphrase-protected, PEER_COMMS_KEY_PASSPHRASE is not set and there is no terminal[^]*ssh-add/,
      ),
    );
  });

  it('asks on the terminal once per key file, again after a wrong answer, and gives up after three', async () => {
    const key = k('locked.ppk').path;
    const typed = new Map<string, string>();
    const ask = io({}, ['wrong', 'correct horse']);
    await unlockKeys('peers.yaml', config({ a: key, b: key, c: k('plain_ed25519').path }), ['a', 'b', 'c'], ask, typed);
    assert.equal(typed.get(key), 'correct horse');
    assert.equal(ask.questions.length, 2);
    assert.match(ask.questions[0]!, /^Passphrase for .*locked\.ppk \(peers "a", "b"\): $/);
    assert.match(ask.questions[1]!, /^Wrong passphrase, try again\. /);
    await assert.rejects(
      unlockKeys('peers.yaml', config({ a: key }), ['a'], io({}, ['x', 'y', 'z', 'correct horse']), new Map()),
      refusedWith(/wrong passphrase for the private key .*locked\.ppk \(3 tries\)/),
    );
  });

  it('refuses a PuTTY v3 key at the edge; leaves a missing key file to the other checks', async () => {
    await assert.rejects(
      unlockKeys('peers.yaml', config({ a: k('v3.ppk').path }), ['a'], io({}), new Map()),
      refusedWith(/format 3[^]*puttygen/),
    );
    await unlockKeys('peers.yaml', config({ a: join(dir, 'missing') }), ['a'], io({}), new Map());
  });

  it('a typed passphrase wins over the variable; an empty variable counts as unset', () => {
    const typed = new Map([['/k', 'typed']]);
    assert.equal(passphraseFor('/k', 'V', typed, { V: 'env' }), 'typed');
    assert.equal(passphraseFor('/j', 'V', typed, { V: 'env' }), 'env');
    assert.equal(passphraseFor('/j', 'V', typed, { V: '' }), undefined);
  });

  it("suggested commands quote the key path for the user's shell (sh, PowerShell); no chmod on Windows", async () => {
    const folder = join(dir, 'my keys');
    await mkdir(folder, { recursive: true });
    const key = join(folder, "jo's key");
    await writeFile(key, k('locked_ed25519').bytes, { mode: 0o600 });
    const sh = `'${key.replace(/'/g, `'\\''`)}'`;
    const ps = `"${key}"`;
    const hintOf = async (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => assert.fail('not refused'),
        (err: unknown) => `${(err as Error).message}\n${(err as { hint?: string }).hint ?? ''}`,
      );
    const unlock = (platform: NodeJS.Platform, env: Record<string, string> = {}) =>
      hintOf(unlockKeys('peers.yaml', config({ a: key }), ['a'], { ...io(env), platform }, new Map()));
    assert.ok((await unlock('linux')).includes(`(ssh-add ${sh})`));
    assert.ok((await unlock('win32')).includes(`(ssh-add ${ps})`));
    assert.ok((await unlock('darwin', { [DEFAULT_PASSPHRASE_ENV]: 'nope' })).includes(`ssh-keygen -y -f ${sh})`));
    const plan = (platform: NodeJS.Platform, passphrase?: string) =>
      hintOf(planAuth({ peer: 'p1', user: 'me', privateKeyPath: key, passphrase }, at(platform, {})));
    assert.ok((await plan('linux')).includes(`(ssh-add ${sh})`));
    assert.ok((await plan('win32')).includes(`(ssh-add ${ps})`));
    assert.ok((await plan('linux', 'nope')).includes(`ssh-keygen -y -f ${sh}`));
    const missing = join(folder, 'id new');
    const edge = (platform: NodeJS.Platform) =>
      hintOf(checkPeerFiles('peers.yaml', config({ a: missing }), 'a', { platform }));
    assert.ok((await edge('linux')).includes(`ssh-keygen -t ed25519 -f '${missing}'`));
    assert.ok((await edge('win32')).includes(`ssh-keygen -t ed25519 -f "${missing}"`));
    assert.equal(
      keyFileHint(key, 'peers.yaml', 'is not readable', 'linux'),
      `make it readable by this user (chmod 600 ${sh}), or fix the path in peers.yaml`,
    );
    assert.doesNotMatch(keyFileHint(key, 'peers.yaml', 'is not readable', 'win32'), /chmod/);
  });
});

describe('askSecret', () => {
  const terminal = () => {
    const input = Object.assign(new PassThrough(), {
      isRaw: false,
      modes: [] as boolean[],
      setRawMode(mode: boolean) {
        this.isRaw = mode;
        this.modes.push(mode);
        return this;
      },
    });
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    return { input, output, shown: () => shown };
  };

  it('reads one line in raw mode without echo; backspace edits; raw mode is restored', async () => {
    const t = terminal();
    const answer = askSecret('Passphrase: ', t);
    t.input.write('sx\u007f');
    t.input.write('ecret\r');
    assert.equal(await answer, 'secret');
    assert.deepEqual(t.input.modes, [true, false]);
    assert.equal(t.shown(), 'Passphrase: \n');
  });

  it('Ctrl-C cancels as a usage error', async () => {
    const t = terminal();
    const answer = askSecret('Passphrase: ', t);
    t.input.write('ab\u0003');
    await assert.rejects(answer, (err: unknown) => err instanceof UsageError && /cancelled/.test(err.message));
    assert.equal(t.input.isRaw, false);
  });
});
