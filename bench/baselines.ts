/**
 * The two baselines, against the same sshd on 127.0.0.1 as peer-comms:
 * - bare one-shot ssh: one `ssh` process that sends the keys, C-m, and polls until the agent works;
 * - the hand ceremony of ../shared/reference (peer-comms-skill.txt), replicated step by step: five
 *   pre-flight ssh calls (uptime, tmux alive, OAuth expiry, GPU, disk), the directive written to a
 *   file and scp'd, one ssh to paste it, one for C-m, then one ssh per look until it works.
 *   The GPU look runs `nvidia-smi` as written; this machine has none, so it fails fast.
 * Only loopback: the reference's own hosts are never contacted.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { AgentPeer, Stack } from '../test/helpers/stack';

const run = promisify(execFile);
const BUSY = 'esc to interrupt';

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function sshOpts(stack: Stack): string[] {
  return [
    '-i',
    stack.sshd.privateKeyPath,
    '-o',
    `UserKnownHostsFile=${stack.sshd.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
  ];
}

async function ssh(stack: Stack, remote: string): Promise<string> {
  const { stdout } = await run(
    'ssh',
    ['-p', String(stack.sshd.port), ...sshOpts(stack), `${stack.sshd.user}@127.0.0.1`, remote],
    { maxBuffer: 1 << 24 },
  );
  return stdout;
}

/** (a) Bare one-shot ssh: send-keys -l, C-m, poll capture-pane until the agent works — one process. */
export async function bareSsh(stack: Stack, peer: AgentPeer, text: string): Promise<number> {
  const t = `${peer.session}:0.0`;
  const tm = `tmux -L ${stack.tmux.socketName}`;
  const remote = [
    `${tm} send-keys -t ${t} -l -- ${q(text)}`,
    `${tm} send-keys -t ${t} C-m`,
    `i=0; while [ $i -lt 400 ]; do ${tm} capture-pane -p -t ${t} | grep -q '${BUSY}' && exit 0; sleep 0.02; i=$((i+1)); done; exit 1`,
  ].join('; ');
  const start = performance.now();
  await ssh(stack, remote);
  return performance.now() - start;
}

/** Prompts the stand-in has taken so far (the bench's bookkeeping, outside the timed ceremony). */
async function promptsTaken(peer: AgentPeer): Promise<number> {
  const log = await readFile(peer.promptLog, 'utf8').catch(() => '');
  return log.split('\n').filter((l) => l.includes('"b64"')).length;
}

/** (b) The hand ceremony: pre-flight, scp of the directive, paste, C-m, poll — each its own ssh. */
export async function handCeremony(stack: Stack, peer: AgentPeer, text: string, name: string): Promise<number> {
  const t = `${peer.session}:0`;
  const tm = `tmux -L ${stack.tmux.socketName}`;
  const local = join(stack.dir, `${name}.txt`);
  const remote = `/tmp/${name}-${process.pid}.txt`;
  const before = await promptsTaken(peer);
  const start = performance.now();
  // 1. pre-flight: reachable, tmux alive, OAuth expiry, GPU, disk
  await ssh(stack, 'hostname; uptime; date -u');
  await ssh(stack, `${tm} ls 2>&1; ${tm} list-windows -t ${peer.session} 2>&1`);
  await ssh(stack, `date -d @$(jq -r '.claudeAiOauth.expiresAt/1000|floor' ${q(peer.credentialsPath)})`);
  await ssh(
    stack,
    'nvidia-smi --query-gpu=index,temperature.gpu,power.draw,memory.used --format=csv,noheader 2>&1 || true',
  );
  await ssh(stack, 'df -h / | tail -1');
  // 2. the directive through a file, never a heredoc
  await writeFile(local, text);
  await run('scp', [
    '-q',
    '-P',
    String(stack.sshd.port),
    ...sshOpts(stack),
    local,
    `${stack.sshd.user}@127.0.0.1:${remote}`,
  ]);
  // 3. paste: send-keys "$(cat file)" for a short one; a long one exceeds one argument, so a tmux buffer
  if (text.length < 100_000) await ssh(stack, `${tm} send-keys -t ${t} "$(cat ${remote})"`);
  else await ssh(stack, `${tm} load-buffer -b hand ${remote} && ${tm} paste-buffer -p -d -b hand -t ${t}`);
  // 4. submit: C-m, separately
  await ssh(stack, `${tm} send-keys -t ${t} C-m`);
  // 5. look until it works (or, if a look came late, until the agent's log shows it took the text)
  const look = `${tm} capture-pane -t ${t} -p; echo; grep -c '"b64"' ${q(peer.promptLog)} || true`;
  const taken = (out: string) => Number(out.trim().split('\n').pop());
  let out = '';
  for (let i = 0; i < 200; i++) {
    out = await ssh(stack, look);
    if (out.includes(BUSY) || taken(out) > before) return performance.now() - start;
  }
  throw new Error(`hand ceremony: the agent never showed working; last look:\n${out}`);
}
