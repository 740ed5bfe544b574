/**
 * Which SSH agent a connection asks for keys. Pure: the platform, the environment and the
 * named-pipe check are parameters, so the Windows rules are tested on Linux.
 *
 * ssh2 understands three kinds of agent address: a Unix socket path (OpenSSH's ssh-agent), a
 * Windows named pipe (`\\.\pipe\…`, the OpenSSH agent service that ships with Windows) and the
 * word `pageant` (PuTTY's agent, Windows only).
 */
import { accessSync } from 'node:fs';

/** The pipe the Windows OpenSSH agent service (ssh-agent, "OpenSSH Authentication Agent") listens on. */
export const OPENSSH_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

/** A peer's `agent:` setting: off, "whichever is there", a named agent, or a socket / pipe path. */
export type AgentSetting = boolean | 'pageant' | 'openssh' | (string & {});

export type AgentChoice =
  /** `agent: false`. */
  | { kind: 'off' }
  /** Ask this agent; `label` names it in messages ("the OpenSSH agent (\\.\pipe\openssh-ssh-agent)"). */
  | { kind: 'agent'; socket: string; label: string }
  /** An agent was asked for but none can be reached from here; `why` says what was looked for. */
  | { kind: 'unavailable'; why: string };

export interface AgentEnv {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** Whether a Windows named pipe exists (default: namedPipeExists). */
  pipeExists: (pipe: string) => boolean;
}

/**
 * On win32, Node's fs.access/existsSync on `\\.\pipe\NAME` ask the pipe file system and see
 * pipes (as `Test-Path` does); the probe opens and closes one pipe instance, which the OpenSSH
 * agent treats as a client that left at once. fs.existsSync also says false when every instance
 * is busy (ERROR_PIPE_BUSY, EBUSY), so only "no such file" counts as absent here.
 */
export function namedPipeExists(pipe: string): boolean {
  try {
    accessSync(pipe);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EINVAL';
  }
}

export const processAgentEnv = (): AgentEnv => ({
  platform: process.platform,
  env: process.env,
  pipeExists: namedPipeExists,
});

const authSock = (env: AgentEnv['env']): string | undefined => {
  const s = env.SSH_AUTH_SOCK;
  return s !== undefined && s.trim() !== '' ? s : undefined;
};

/**
 * The agent for a setting. `true` means what OpenSSH's own client would use: SSH_AUTH_SOCK
 * when set; on Windows without it, the OpenSSH agent's pipe when it exists, else Pageant.
 */
export function chooseAgent(setting: AgentSetting | undefined, at: AgentEnv = processAgentEnv()): AgentChoice {
  if (setting === undefined || setting === false) return { kind: 'off' };
  const win = at.platform === 'win32';
  const sock = authSock(at.env);
  if (setting === true) {
    if (sock !== undefined) return { kind: 'agent', socket: sock, label: `the SSH agent at SSH_AUTH_SOCK (${sock})` };
    if (!win) {
      return {
        kind: 'unavailable',
        why: 'agent: true, but SSH_AUTH_SOCK is not set in this process (no agent in this session? start one: eval "$(ssh-agent)" && ssh-add)',
      };
    }
    if (at.pipeExists(OPENSSH_AGENT_PIPE)) return openSshPipe();
    return {
      kind: 'agent',
      socket: 'pageant',
      label: `Pageant (SSH_AUTH_SOCK is not set and the OpenSSH agent pipe ${OPENSSH_AGENT_PIPE} does not exist)`,
    };
  }
  if (setting === 'pageant') {
    if (!win) return { kind: 'unavailable', why: 'agent: pageant, but Pageant exists only on Windows' };
    return { kind: 'agent', socket: 'pageant', label: 'Pageant' };
  }
  if (setting === 'openssh') {
    if (win) return openSshPipe();
    if (sock !== undefined)
      return { kind: 'agent', socket: sock, label: `the OpenSSH agent at SSH_AUTH_SOCK (${sock})` };
    return {
      kind: 'unavailable',
      why: 'agent: openssh, but SSH_AUTH_SOCK is not set in this process (start an agent: eval "$(ssh-agent)" && ssh-add)',
    };
  }
  return { kind: 'agent', socket: setting, label: `the SSH agent at ${setting}` };
}

function openSshPipe(): AgentChoice {
  return { kind: 'agent', socket: OPENSSH_AGENT_PIPE, label: `the OpenSSH agent (${OPENSSH_AGENT_PIPE})` };
}

/** The check of an `agent:` path lives with the rest of the config checks; re-exported for callers here. */
export { agentPathProblem, isWindowsPipe } from '../config/agent-path';
