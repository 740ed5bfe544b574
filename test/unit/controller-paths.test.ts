/**
 * Controller-side paths with a stubbed host: Windows rules through `path.win32`, macOS and Linux
 * through `path.posix`, whatever this machine is. expandHome (~, $HOME, ${VAR}, %VAR%, unknown
 * variables), the config and state folders, and the order the config file is looked for (with
 * the macOS folder of earlier versions still found, and a note).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { controllerPath, translate } from '../../src/activities/context';
import { ConfigError, configCandidates, findConfigFile } from '../../src/config/load';
import {
  ControllerPathError,
  envValue,
  expandHome,
  legacyConfigDirs,
  userConfigDir,
  userStateDir,
  type ControllerHost,
} from '../../src/config/paths';

function windows(env: Record<string, string> = {}): ControllerHost {
  return {
    platform: 'win32',
    env: { USERPROFILE: 'C:\\Users\\ada', APPDATA: 'C:\\Users\\ada\\AppData\\Roaming', ...env },
    home: 'C:\\Users\\ada',
    cwd: 'D:\\work',
    path: path.win32,
  };
}

function posix(platform: NodeJS.Platform, env: Record<string, string> = {}): ControllerHost {
  return { platform, env: { HOME: '/home/ada', ...env }, home: '/home/ada', cwd: '/srv/work', path: path.posix };
}

/** The error expandHome throws for `p`, checked to be a ControllerPathError naming `variable`. */
function pathError(p: string, host: ControllerHost, variable: string): ControllerPathError {
  try {
    expandHome(p, host);
  } catch (err) {
    assert.ok(err instanceof ControllerPathError, `expected a ControllerPathError, got ${String(err)}`);
    assert.equal(err.variable, variable);
    return err;
  }
  assert.fail(`expandHome(${p}) did not throw`);
}

void describe('expandHome on Windows (path.win32)', () => {
  const host = windows();

  void it('~ and ~/ and ~\\ are the home folder', () => {
    assert.equal(expandHome('~', host), 'C:\\Users\\ada');
    assert.equal(expandHome('~/.ssh/id_ed25519', host), 'C:\\Users\\ada\\.ssh\\id_ed25519');
    assert.equal(expandHome('~\\.ssh\\id_ed25519', host), 'C:\\Users\\ada\\.ssh\\id_ed25519');
  });

  void it('%USERPROFILE% (any case), $env:NAME, $HOME and ${HOME} are expanded', () => {
    const key = 'C:\\Users\\ada\\.ssh\\id_ed25519';
    assert.equal(expandHome('%USERPROFILE%\\.ssh\\id_ed25519', host), key);
    assert.equal(expandHome('%UserProfile%\\.ssh\\id_ed25519', host), key);
    assert.equal(expandHome('$env:USERPROFILE\\.ssh\\id_ed25519', host), key);
    // Windows has no HOME by default: $HOME still means the home folder.
    assert.equal(expandHome('$HOME/.ssh/id_ed25519', host), key);
    assert.equal(expandHome('${HOME}\\.ssh\\id_ed25519', host), key);
    assert.equal(expandHome('%HOME%\\.ssh\\id_ed25519', host), key);
    assert.equal(
      expandHome('%APPDATA%\\peer-comms\\peers.yaml', host),
      'C:\\Users\\ada\\AppData\\Roaming\\peer-comms\\peers.yaml',
    );
    assert.equal(
      expandHome('%ProgramFiles(x86)%\\tool\\k', windows({ 'ProgramFiles(x86)': 'C:\\Program Files (x86)' })),
      'C:\\Program Files (x86)\\tool\\k',
    );
  });

  void it('absolute paths stay, relative ones are taken from the current folder, a lone $ or % stays', () => {
    assert.equal(expandHome('C:\\keys\\id', host), 'C:\\keys\\id');
    assert.equal(expandHome('keys\\id', host), 'D:\\work\\keys\\id');
    assert.equal(expandHome('\\\\nas\\c$\\keys\\id', host), '\\\\nas\\c$\\keys\\id');
    assert.equal(expandHome('C:\\keys\\100%\\id', host), 'C:\\keys\\100%\\id');
  });

  void it('an unknown variable is an error naming it, not a relative folder', () => {
    const err = pathError('%CLAUDE_HOME%\\.credentials.json', host, 'CLAUDE_HOME');
    assert.match(
      err.message,
      /the path "%CLAUDE_HOME%\\\.credentials\.json" uses %CLAUDE_HOME%, but CLAUDE_HOME is not set/,
    );
    assert.match(err.message, /write the path out in full/);
    pathError('$NOPE\\x', host, 'NOPE');
    pathError('${NOPE}\\x', host, 'NOPE');
    pathError('$env:NOPE\\x', host, 'NOPE');
    pathError('~bob\\x', host, '~bob');
  });
});

void describe('expandHome on macOS and Linux (path.posix)', () => {
  for (const platform of ['darwin', 'linux'] as const) {
    const host = posix(platform, { DATA: '/data' });
    void it(`${platform}: ~, $HOME, \${VAR}`, () => {
      assert.equal(expandHome('~', host), '/home/ada');
      assert.equal(expandHome('~/.ssh/id_ed25519', host), '/home/ada/.ssh/id_ed25519');
      assert.equal(expandHome('$HOME/.ssh/id_ed25519', host), '/home/ada/.ssh/id_ed25519');
      assert.equal(expandHome('${HOME}/.ssh/id_ed25519', host), '/home/ada/.ssh/id_ed25519');
      assert.equal(expandHome('${DATA}/repo', host), '/data/repo');
      assert.equal(expandHome('repo', host), '/srv/work/repo');
      assert.equal(expandHome('/abs/repo', host), '/abs/repo');
    });
    void it(`${platform}: %VAR% is an ordinary name; an unknown $VAR is an error`, () => {
      assert.equal(expandHome('/tmp/%USERPROFILE%/x', host), '/tmp/%USERPROFILE%/x');
      const err = pathError('$XDG_NOPE/peers.yaml', host, 'XDG_NOPE');
      assert.match(err.message, /XDG_NOPE is not set on this controller/);
      pathError('${EMPTY}/x', posix(platform, { EMPTY: '' }), 'EMPTY');
    });
  }
});

void describe('envValue: the one environment lookup (config paths and the Temporal CLI lookup)', () => {
  void it('Windows names ignore case in an injected env; elsewhere they do not; empty is unset; no HOME fallback', () => {
    assert.equal(envValue('PATH', { platform: 'win32', env: { Path: 'C:\\bin' } }), 'C:\\bin');
    assert.equal(envValue('LocalAppData', { platform: 'win32', env: { LOCALAPPDATA: 'L' } }), 'L');
    assert.equal(envValue('PATH', { platform: 'linux', env: { Path: '/bin' } }), undefined);
    assert.equal(envValue('SCOOP', { platform: 'win32', env: { SCOOP: '' } }), undefined);
    assert.equal(envValue('HOME', { platform: 'win32', env: {} }), undefined);
    // the home-folder fallback belongs to paths: $HOME on Windows without HOME
    assert.equal(expandHome('$HOME/x', windows()), 'C:\\Users\\ada\\x');
  });
});

void describe('config and state folders', () => {
  void it('Windows: %APPDATA% and %LOCALAPPDATA%, or their defaults under the home folder', () => {
    const withVars = windows({ LOCALAPPDATA: 'E:\\local' });
    assert.equal(userConfigDir(withVars), 'C:\\Users\\ada\\AppData\\Roaming\\peer-comms');
    assert.equal(userStateDir(withVars), 'E:\\local\\peer-comms');
    const bare: ControllerHost = { ...windows(), env: {} };
    assert.equal(userConfigDir(bare), 'C:\\Users\\ada\\AppData\\Roaming\\peer-comms');
    assert.equal(userStateDir(bare), 'C:\\Users\\ada\\AppData\\Local\\peer-comms');
    // XDG variables mean nothing on Windows.
    assert.equal(
      userConfigDir(windows({ XDG_CONFIG_HOME: 'C:\\xdg' })),
      'C:\\Users\\ada\\AppData\\Roaming\\peer-comms',
    );
    assert.deepEqual(legacyConfigDirs(bare), []);
  });

  for (const platform of ['darwin', 'linux'] as const) {
    void it(`${platform}: XDG folders (~/.config, ~/.local/state), or $XDG_CONFIG_HOME / $XDG_STATE_HOME when absolute`, () => {
      assert.equal(userConfigDir(posix(platform)), '/home/ada/.config/peer-comms');
      assert.equal(userStateDir(posix(platform)), '/home/ada/.local/state/peer-comms');
      const xdg = posix(platform, { XDG_CONFIG_HOME: '/cfg', XDG_STATE_HOME: '/state' });
      assert.equal(userConfigDir(xdg), '/cfg/peer-comms');
      assert.equal(userStateDir(xdg), '/state/peer-comms');
      const relative = posix(platform, { XDG_CONFIG_HOME: 'cfg', XDG_STATE_HOME: 'state' });
      assert.equal(userConfigDir(relative), '/home/ada/.config/peer-comms');
      assert.equal(userStateDir(relative), '/home/ada/.local/state/peer-comms');
      // APPDATA means nothing off Windows.
      assert.equal(userConfigDir(posix(platform, { APPDATA: '/appdata' })), '/home/ada/.config/peer-comms');
    });
  }

  void it('macOS alone keeps the folder of earlier versions as a fallback', () => {
    assert.deepEqual(legacyConfigDirs(posix('darwin')), ['/home/ada/Library/Application Support/peer-comms']);
    assert.deepEqual(legacyConfigDirs(posix('linux')), []);
  });
});

void describe('where the config file is looked for', () => {
  void it('Windows: --config, else PEER_COMMS_CONFIG, else .\\peers.yaml then %APPDATA%', () => {
    assert.deepEqual(configCandidates(undefined, windows()), [
      'D:\\work\\peers.yaml',
      'C:\\Users\\ada\\AppData\\Roaming\\peer-comms\\peers.yaml',
    ]);
    assert.deepEqual(configCandidates('%USERPROFILE%\\peers.yaml', windows()), ['C:\\Users\\ada\\peers.yaml']);
    assert.deepEqual(configCandidates('~\\p.yaml', windows({ PEER_COMMS_CONFIG: 'C:\\other.yaml' })), [
      'C:\\Users\\ada\\p.yaml',
    ]);
    assert.deepEqual(configCandidates(undefined, windows({ PEER_COMMS_CONFIG: '%APPDATA%\\x.yaml' })), [
      'C:\\Users\\ada\\AppData\\Roaming\\x.yaml',
    ]);
  });

  void it('a bad variable in --config or PEER_COMMS_CONFIG is a config error naming it', () => {
    assert.throws(
      () => configCandidates('%NOPE%\\peers.yaml', windows()),
      (err: unknown) => err instanceof ConfigError && /--config: .*NOPE is not set/.test(err.message),
    );
    assert.throws(
      () => configCandidates(undefined, posix('linux', { PEER_COMMS_CONFIG: '$NOPE/peers.yaml' })),
      (err: unknown) => err instanceof ConfigError && /PEER_COMMS_CONFIG: .*NOPE is not set/.test(err.message),
    );
  });

  void it('macOS: ./peers.yaml, ~/.config/peer-comms, then ~/Library/Application Support/peer-comms', () => {
    assert.deepEqual(configCandidates(undefined, posix('darwin')), [
      '/srv/work/peers.yaml',
      '/home/ada/.config/peer-comms/peers.yaml',
      '/home/ada/Library/Application Support/peer-comms/peers.yaml',
    ]);
  });

  void describe('with real files (macOS stubbed, this machine’s posix paths)', () => {
    const roots: string[] = [];
    after(async () => {
      for (const r of roots) await rm(r, { recursive: true, force: true });
    });

    async function mac(): Promise<{ host: ControllerHost; xdg: string; legacy: string }> {
      const root = await mkdtemp(path.join(tmpdir(), 'pc-paths-'));
      roots.push(root);
      const home = path.join(root, 'home');
      const cwd = path.join(root, 'cwd');
      await mkdir(cwd, { recursive: true });
      const host: ControllerHost = { platform: 'darwin', env: {}, home, cwd, path: path.posix };
      return {
        host,
        xdg: path.join(home, '.config', 'peer-comms', 'peers.yaml'),
        legacy: path.join(home, 'Library', 'Application Support', 'peer-comms', 'peers.yaml'),
      };
    }

    async function put(file: string): Promise<void> {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, 'peers: {}\n');
    }

    void it('a file only in the old folder is used, with a note saying where to move it', async () => {
      const { host, xdg, legacy } = await mac();
      await put(legacy);
      const notes: string[] = [];
      assert.equal(
        findConfigFile(undefined, host, (l) => notes.push(l)),
        legacy,
      );
      assert.equal(notes.length, 1);
      assert.match(notes[0] ?? '', new RegExp(`using ${legacy}.*move it there`));
      assert.ok(notes[0]?.includes(xdg));
    });

    void it('the XDG file wins over the old one, silently', async () => {
      const { host, xdg, legacy } = await mac();
      await put(legacy);
      await put(xdg);
      const notes: string[] = [];
      assert.equal(
        findConfigFile(undefined, host, (l) => notes.push(l)),
        xdg,
      );
      assert.deepEqual(notes, []);
    });

    void it('none found: the error lists every place looked in', async () => {
      const { host, xdg, legacy } = await mac();
      assert.throws(
        () => findConfigFile(undefined, host, () => assert.fail('no note')),
        (err: unknown) => err instanceof ConfigError && err.message.includes(xdg) && err.message.includes(legacy),
      );
    });
  });
});

void describe('in activities: an unset variable is a non-retryable InvalidConfig naming the field', () => {
  const unset = 'PEER_COMMS_TEST_SURELY_UNSET';
  void it('controllerPath (credentialsPath, repo) and translate (privateKey / knownHosts at connect)', () => {
    delete process.env[unset];
    assert.equal(controllerPath('/abs/x', 'controller.repo'), '/abs/x');
    assert.throws(
      () => controllerPath(`$${unset}/creds.json`, 'controller.credentialsPath'),
      (err: Error & { type?: string; nonRetryable?: boolean }) =>
        err.type === 'InvalidConfig' &&
        err.nonRetryable === true &&
        err.message.startsWith(
          `controller.credentialsPath: the path "$${unset}/creds.json" uses $${unset}, but ${unset} is not set`,
        ),
    );
    const failure = translate('rtx', 'connect', new ControllerPathError('%K%', 'K', 'K is not set'));
    assert.equal(failure.type, 'InvalidConfig');
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, 'rtx: connect: K is not set');
  });
});
