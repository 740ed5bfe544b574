/**
 * A real OpenSSH server for tests: `/usr/sbin/sshd -D -e -f <tmp config>` on 127.0.0.1 at a free
 * port, with throw-away ed25519 host and client keys, in its own temp dir. Linux only.
 *
 *   const sshd = await startSshd();
 *   after(() => sshd.stop());
 *   const shell = await SshShell.connect(sshd.target());
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SshTarget } from '../../src/peer-access/ssh-connect';
import { waitFor } from './wait';
import { freePort } from './ports';

const run = promisify(execFile);

export type KnownHostsKind = 'plain' | 'hashed' | 'none';

export interface SshdOptions {
  /** How the fixture's known_hosts lists the host key. Default 'plain'. */
  knownHosts?: KnownHostsKind;
  /** Extra sshd_config lines. */
  extraConfig?: string[];
}

export interface SshdFixture {
  host: '127.0.0.1';
  port: number;
  user: string;
  privateKeyPath: string;
  /** known_hosts naming the host key as `[127.0.0.1]:PORT` (plain, hashed, or empty for 'none'). */
  knownHostsPath: string;
  /** `SHA256:…` of the host key, as ssh-keygen -l prints it. */
  hostKeyFingerprint: string;
  /** `ssh-ed25519 AAAA…` of the host key. */
  hostPublicKey: string;
  dir: string;
  /** pid of the listening sshd. */
  pid: number;
  /** What sshd has written to stderr so far (its log, with -e). */
  log(): string;
  target(peer?: string): SshTarget;
  /** Writes a known_hosts file of the given kind into the fixture dir; returns its path. */
  writeKnownHosts(kind: KnownHostsKind | 'wrong-key', name?: string): Promise<string>;
  /** Kills this fixture's per-connection sshd processes (drops every client); returns how many. */
  killConnections(): Promise<number>;
  /** An outage: every connection dropped and the listener gone (connections are refused) until up(). */
  down(): Promise<void>;
  /** sshd back on the same port, with the same keys. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

async function keygen(path: string, comment: string): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/** pids of every descendant of `pid` (from /proc). */
export async function descendants(pid: number): Promise<number[]> {
  const parent = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …  — comm may contain spaces and parens: parse after the last ')'
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) parent.set(Number(name), ppid);
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

function killAll(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function launch(dir: string, config: string): Promise<{ child: ChildProcess; stderr: () => string }> {
  await mkdir('/run/sshd', { recursive: true }); // privilege separation directory
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitFor(() => exited || err.includes('Server listening'), 10_000, `sshd in ${dir} to listen`);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  if (exited) throw new Error(`sshd exited at start:\n${err}`);
  return { child, stderr: () => err };
}

export async function startSshd(opts: SshdOptions = {}): Promise<SshdFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'peer-comms-sshd-'));
  try {
    const user = userInfo().username;
    const hostKey = join(dir, 'host_ed25519');
    const clientKey = join(dir, 'client_ed25519');
    const hostPublicKey = (await keygen(hostKey, 'test-host')).split(' ').slice(0, 2).join(' ');
    const clientPub = await keygen(clientKey, 'test-client');
    await writeFile(join(dir, 'authorized_keys'), clientPub + '\n', { mode: 0o600 });
    const fp = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`])).stdout.split(' ')[1] ?? '';

    let started: { child: ChildProcess; stderr: () => string } | undefined;
    let port = 0;
    for (let attempt = 0; attempt < 3 && !started; attempt++) {
      port = await freePort();
      const config = join(dir, 'sshd_config');
      await writeFile(
        config,
        [
          `Port ${port}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${hostKey}`,
          `PidFile ${join(dir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
          'PermitRootLogin prohibit-password',
          'PubkeyAuthentication yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'StrictModes no',
          'UsePAM no',
          'Subsystem sftp internal-sftp',
          'LogLevel INFO',
          ...(opts.extraConfig ?? []),
          '',
        ].join('\n'),
      );
      try {
        started = await launch(dir, config);
      } catch (e) {
        if (attempt === 2 || !String(e).includes('Bind to port')) throw e;
      }
    }
    let { child, stderr } = started!;
    let pid = child.pid!;
    const configPath = join(dir, 'sshd_config');
    const exitedOf = (c: ChildProcess) =>
      new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) resolve();
        else c.once('exit', () => resolve());
      });

    const writeKnownHosts = async (kind: KnownHostsKind | 'wrong-key', name?: string): Promise<string> => {
      const path = join(dir, name ?? `known_hosts.${kind}`);
      const entry = `[127.0.0.1]:${port}`;
      if (kind === 'none') {
        await writeFile(path, '');
      } else if (kind === 'wrong-key') {
        const other = join(dir, `other_${Date.now()}_${Math.random().toString(16).slice(2)}`);
        const otherPub = (await keygen(other, 'impostor')).split(' ').slice(0, 2).join(' ');
        await writeFile(path, `${entry} ${otherPub}\n`);
      } else {
        await writeFile(path, `${entry} ${hostPublicKey}\n`);
        if (kind === 'hashed') {
          await run('ssh-keygen', ['-H', '-f', path]);
          await rm(`${path}.old`, { force: true });
        }
      }
      return path;
    };
    const knownHostsPath = await writeKnownHosts(opts.knownHosts ?? 'plain', 'known_hosts');

    let stopped = false;
    let earlierLog = '';
    return {
      host: '127.0.0.1',
      port,
      user,
      privateKeyPath: clientKey,
      knownHostsPath,
      hostKeyFingerprint: fp,
      hostPublicKey,
      dir,
      get pid() {
        return pid;
      },
      log: () => earlierLog + stderr(),
      target: (peer = 'test') => ({ peer, host: '127.0.0.1', port, user, privateKeyPath: clientKey, knownHostsPath }),
      writeKnownHosts,
      killConnections: async () => {
        const pids = await descendants(pid);
        killAll(pids);
        return pids.length;
      },
      down: async () => {
        const exited = exitedOf(child);
        killAll(await descendants(pid));
        child.kill('SIGKILL');
        await exited;
      },
      up: async () => {
        earlierLog += stderr();
        ({ child, stderr } = await launch(dir, configPath));
        pid = child.pid!;
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        const exited = exitedOf(child);
        killAll(await descendants(pid));
        child.kill('SIGKILL');
        await exited;
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
