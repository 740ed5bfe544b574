/**
 * The controller's Claude login on macOS (platform stubbed to darwin): when the credentials file
 * is missing, it comes from the Keychain through a fake `security` — a real executable script on
 * PATH in a temp dir, which logs its arguments and prints what the test set. The bytes must
 * arrive exactly, nothing may be logged, and a login found nowhere is an error naming the file,
 * the Keychain item and `claude /login`. Last, the same through refreshCredentials to a local
 * peer: the Keychain's bytes land in the peer's credentials file.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, mock, test } from 'node:test';
import type { ControllerDeps, PeerDeps } from '../../src/activities';
import { createRefreshCredentials } from '../../src/activities/credentials';
import {
  ControllerLoginNotFound,
  execSecurity,
  readControllerCredentials,
  type CredentialsSource,
} from '../../src/config/controller-credentials';
import { configSchema } from '../../src/config/schema';
import { LocalShell } from '../../src/peer-access/local-shell';

const TOKEN = 'sk-ant-oat01-NEVER-LOG-THIS';
const BLOB = JSON.stringify({
  claudeAiOauth: { accessToken: TOKEN, refreshToken: 'sk-ant-ort01-x', expiresAt: Date.now() + 24 * 3_600_000 },
});

// The fake: logs "$@" (one line per call); answers per the files the test writes:
//   mode=ok: print out.txt (+ newline, as security -w does); mode=account-only-miss: exit 44 when -a is given;
//   mode=missing: exit 44; mode=locked: exit 36 with security's message; mode=hang: never answer.
const FAKE_SECURITY = `#!/bin/sh
d=$(dirname "$0")
printf '%s\\n' "$*" >> "$d/security.calls"
mode=$(cat "$d/mode")
case "$mode" in
  ok) cat "$d/out.txt"; echo; exit 0 ;;
  account-only-miss)
    for a in "$@"; do if [ "$a" = -a ]; then
      echo 'security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.' >&2; exit 44
    fi; done
    cat "$d/out.txt"; echo; exit 0 ;;
  missing) echo 'security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.' >&2; exit 44 ;;
  locked) echo 'security: SecKeychainSearchCopyNext: User interaction is not allowed.' >&2; exit 36 ;;
  hang) exec sleep 30 ;;
esac
`;

let root = '';
let bin = '';
let home = '';

async function setFake(mode: string, out = BLOB): Promise<void> {
  await writeFile(join(bin, 'mode'), mode);
  await writeFile(join(bin, 'out.txt'), out);
  await rm(join(bin, 'security.calls'), { force: true });
}

async function calls(): Promise<string[]> {
  const text = await readFile(join(bin, 'security.calls'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

function mac(over: Partial<CredentialsSource> = {}, timeoutMs = 10_000): CredentialsSource {
  return {
    platform: 'darwin',
    home,
    account: 'ada',
    readFile: (p) => readFile(p),
    runSecurity: execSecurity({ ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }, timeoutMs),
    ...over,
  };
}

/**
 * Runs fn while recording everything written to stdout/stderr and through console. Writes are
 * passed on as well (the test runner reports through stdout); tests look for the token in them.
 */
async function captured<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; output: string }> {
  let output = '';
  const record = (...args: unknown[]): void => void (output += args.map(String).join(' '));
  const mocks = [
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => mock.method(console, m, record)),
    ...[process.stdout, process.stderr].map((stream) => {
      const write = stream.write.bind(stream);
      return mock.method(stream, 'write', (chunk: string | Uint8Array, ...rest: never[]) => {
        record(Buffer.from(chunk).toString('utf8'));
        return write(chunk, ...rest);
      });
    }),
  ];
  try {
    return { value: await fn(), output };
  } catch (error) {
    return { error, output };
  } finally {
    for (const m of mocks) m.mock.restore();
  }
}

const defaultPath = () => join(home, '.claude', '.credentials.json');

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-keychain-'));
  bin = join(root, 'bin');
  home = join(root, 'home');
  await mkdir(bin, { recursive: true });
  await mkdir(home, { recursive: true });
  await writeFile(join(bin, 'security'), FAKE_SECURITY, { mode: 0o755 });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

void describe('readControllerCredentials', () => {
  beforeEach(() => setFake('ok'));

  void test('macOS, no file: the Keychain item’s bytes arrive exactly, nothing is logged', async () => {
    const r = await captured(() => readControllerCredentials(defaultPath(), mac()));
    assert.equal(r.error, undefined);
    assert.ok(r.value);
    assert.equal(r.value.toString('utf8'), BLOB); // the newline security adds is gone
    assert.deepEqual(await calls(), ['find-generic-password -s Claude Code-credentials -a ada -w']);
    assert.ok(!r.output.includes(TOKEN), 'the token was written somewhere');
  });

  void test('a file that exists is read, the Keychain is not asked', async () => {
    const file = join(root, 'existing', '.credentials.json');
    await mkdir(join(root, 'existing'), { recursive: true });
    await writeFile(file, '{"from":"file"}');
    assert.equal((await readControllerCredentials(file, mac())).toString(), '{"from":"file"}');
    assert.deepEqual(await calls(), []);
  });

  void test('Linux and Windows: a missing file is the file’s error, no Keychain', async () => {
    for (const platform of ['linux', 'win32'] as const) {
      await assert.rejects(readControllerCredentials(defaultPath(), mac({ platform })), { code: 'ENOENT' });
    }
    assert.deepEqual(await calls(), []);
  });

  void test('not under the login name: found by service alone', async () => {
    await setFake('account-only-miss');
    const bytes = await readControllerCredentials(defaultPath(), mac());
    assert.equal(bytes.toString('utf8'), BLOB);
    assert.deepEqual(await calls(), [
      'find-generic-password -s Claude Code-credentials -a ada -w',
      'find-generic-password -s Claude Code-credentials -w',
    ]);
  });

  void test('found nowhere: names the file, the Keychain item and claude /login', async () => {
    await setFake('missing');
    const r = await captured(() => readControllerCredentials(defaultPath(), mac()));
    const err = r.error;
    assert.ok(err instanceof ControllerLoginNotFound, String(err));
    assert.equal(err.code, 'ENOENT');
    assert.ok(err.message.includes(`neither in ${defaultPath()} (ENOENT)`), err.message);
    assert.match(
      err.message,
      /macOS Keychain item "Claude Code-credentials" \(account "ada": no such item; any account: no such item\)/,
    );
    assert.match(err.message, /claude \/login/);
  });

  void test('a locked Keychain (SSH session) is said so, and searched once', async () => {
    await setFake('locked');
    await assert.rejects(readControllerCredentials(defaultPath(), mac()), (err: Error) => {
      assert.match(
        err.message,
        /security exit 36: security: SecKeychainSearchCopyNext: User interaction is not allowed/,
      );
      assert.match(err.message, /security unlock-keychain/);
      return true;
    });
    assert.equal((await calls()).length, 1);
  });

  void test('a Keychain dialog nobody answers: gives up at the deadline', async () => {
    await setFake('hang');
    const t0 = Date.now();
    await assert.rejects(readControllerCredentials(defaultPath(), mac({}, 500)), /did not answer in time/);
    assert.ok(Date.now() - t0 < 5_000);
  });

  void test('hex output (security’s form for data it deems unprintable) is decoded', async () => {
    await setFake('ok', Buffer.from(BLOB).toString('hex'));
    assert.equal((await readControllerCredentials(defaultPath(), mac())).toString('utf8'), BLOB);
  });

  void test('a credentials file outside ~/.claude (CLAUDE_CONFIG_DIR) reads that folder’s item', async () => {
    const dir = join(home, '.claude-work');
    const hash = createHash('sha256').update(dir).digest('hex').slice(0, 8);
    await readControllerCredentials(join(dir, '.credentials.json'), mac());
    assert.deepEqual(await calls(), [`find-generic-password -s Claude Code-credentials-${hash} -a ada -w`]);
  });

  void test('no login name known: searched by service alone', async () => {
    await readControllerCredentials(defaultPath(), mac({ account: '' }));
    assert.deepEqual(await calls(), ['find-generic-password -s Claude Code-credentials -w']);
  });
});

void describe('refreshCredentials on a macOS controller (Keychain) to a local peer', () => {
  let peerHome = '';
  before(async () => {
    peerHome = join(root, 'peer-home');
    await mkdir(peerHome, { recursive: true });
  });

  function deps(): PeerDeps & Pick<ControllerDeps, 'readControllerFile'> {
    const shell = new LocalShell('mac-peer', { home: peerHome });
    return {
      config: configSchema.parse({
        controller: { credentialsPath: defaultPath() },
        // Absolute: a `~/` peer path is resolved with the peer's $HOME, which for a local peer is this machine's.
        peers: { 'mac-peer': { via: 'local', credentialsPath: join(peerHome, '.claude', '.credentials.json') } },
      }),
      shells: { get: () => Promise.resolve(shell) },
      readControllerFile: (p) => readControllerCredentials(p, mac()),
      now: () => Date.now(),
      sleep: async () => undefined,
    };
  }

  void test('the Keychain’s bytes are pushed to the peer, and not logged', async () => {
    await setFake('ok');
    const r = await captured(() => createRefreshCredentials(deps())({ peer: 'mac-peer' }));
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.value?.action, 'pushed');
    assert.equal(await readFile(join(peerHome, '.claude', '.credentials.json'), 'utf8'), BLOB);
    assert.ok(!r.output.includes(TOKEN));
    assert.ok(!JSON.stringify(r.value).includes(TOKEN));
  });

  void test('no login anywhere: a ControllerCredentials failure naming peer, file, item and claude /login', async () => {
    await setFake('missing');
    await assert.rejects(
      createRefreshCredentials(deps())({ peer: 'mac-peer' }),
      (err: Error & { type?: string; nonRetryable?: boolean }) => {
        assert.equal(err.type, 'ControllerCredentials');
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, /^mac-peer: the peer's token needs a refresh, but the controller's Claude login/);
        assert.ok(err.message.includes(defaultPath()), err.message);
        assert.match(err.message, /"Claude Code-credentials"/);
        assert.match(err.message, /claude \/login/);
        return true;
      },
    );
  });
});
