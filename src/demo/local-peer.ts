/**
 * The embedded default's peer: a tmux session on this machine (private socket) running the
 * stand-in agent, described by a generated config with `via: local`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../config/schema';
import { configSchema } from '../config/schema';

const run = promisify(execFile);

export interface LocalPeer {
  name: string;
  socket: string;
  session: string;
  promptLog: string;
  config: Config;
}

/** Shell-quotes one word (the demo's own paths; the stand-in command runs under tmux's sh). */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function standinCommand(promptLog: string): string {
  const compiled = __filename.endsWith('.js');
  const agent = join(__dirname, '..', 'standin', compiled ? 'agent.js' : 'agent.ts');
  const loader = compiled ? [] : ['--import', require.resolve('tsx')];
  return [process.execPath, ...loader, agent, '--log', promptLog].map(q).join(' ');
}

export interface LocalPeerOptions {
  name?: string;
  /** tmux socket name (`tmux -L`). */
  socket?: string;
  session?: string;
  taskQueue?: string;
}

export function setUpLocalPeer(stateDir: string, opts: LocalPeerOptions = {}): LocalPeer {
  const name = opts.name ?? 'local';
  const dir = join(stateDir, 'demo-peer');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socket = opts.socket ?? 'peer-comms-demo';
  const session = opts.session ?? 'demo-agent';
  const promptLog = join(dir, 'prompts.jsonl');
  // The demo peer's own token file, far from expiry, so the demo does not touch real credentials.
  const credentialsPath = join(dir, 'credentials.json');
  writeFileSync(
    credentialsPath,
    JSON.stringify({ claudeAiOauth: { accessToken: 'demo-not-a-token', expiresAt: Date.now() + 30 * 86_400_000 } }),
    { mode: 0o600 },
  );
  const config = configSchema.parse({
    controller: {
      credentialsPath,
      auditLog: join(dir, 'audit.jsonl'),
      taskQueue: opts.taskQueue ?? 'peer-comms-demo',
    },
    peers: {
      [name]: {
        via: 'local',
        tmux: { socket, target: `${session}:0` },
        workdir: dir,
        credentialsPath,
        stagingDir: join(dir, 'staging'),
        recovery: { method: 'tmux', command: standinCommand(promptLog), width: 200, height: 50, readyTimeout: '30s' },
      },
    },
  });
  return { name, socket, session, promptLog, config };
}

export async function stopLocalPeer(peer: LocalPeer): Promise<void> {
  await run('tmux', ['-L', peer.socket, 'kill-server']).catch(() => undefined);
}
