import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { isWindowsPipe } from './agent-path';
import { configSchema, type Config, type PeerConfig } from './schema';
import { decodeTextFile, TextFileRefused } from './text-file';
import { yamlProblems } from './yaml-problems';
import {
  ControllerPathError,
  currentHost,
  expandHome,
  legacyConfigDirs,
  userConfigDir,
  type ControllerHost,
} from './paths';

/** A config file that cannot be used; `problems` holds one line per problem, each with its path in the file. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Expands a config file path given on the command line or in PEER_COMMS_CONFIG (a bad one is a ConfigError). */
function configPath(p: string, from: string, host: ControllerHost): string {
  try {
    return expandHome(p, host);
  } catch (err) {
    if (err instanceof ControllerPathError) throw new ConfigError(p, [`${from}: ${err.message}`]);
    throw err;
  }
}

/**
 * The order in which the config file is looked for: --config, $PEER_COMMS_CONFIG, ./peers.yaml,
 * the user config folder, then (macOS) the folder earlier versions used.
 */
export function configCandidates(explicit?: string, host: ControllerHost = currentHost()): string[] {
  if (explicit) return [configPath(explicit, '--config', host)];
  const fromEnv = host.env.PEER_COMMS_CONFIG;
  if (fromEnv) return [configPath(fromEnv, 'PEER_COMMS_CONFIG', host)];
  return [host.cwd, userConfigDir(host), ...legacyConfigDirs(host)].map((dir) => host.path.join(dir, 'peers.yaml'));
}

/**
 * The config file to use. One found only in an earlier version's folder is still used, with a
 * note (to stderr by default) saying where to move it.
 */
export function findConfigFile(
  explicit?: string,
  host: ControllerHost = currentHost(),
  note: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): string {
  const candidates = configCandidates(explicit, host);
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new ConfigError(candidates[0] ?? 'peers.yaml', [
      // one problem, with what to do on the same line (a second line would count as a second problem)
      `no config file found (looked in: ${candidates.join(', ')}); copy peers.example.yaml to peers.yaml and edit it, pass --config FILE, or set PEER_COMMS_CONFIG`,
    ]);
  }
  if (legacyConfigDirs(host).some((dir) => host.path.dirname(found) === dir)) {
    const target = host.path.join(userConfigDir(host), 'peers.yaml');
    note(
      `note: using ${found}, the folder earlier versions used; peer-comms now looks in ${target} first: move it there`,
    );
  }
  return found;
}

/** Formats zod issues as `peers.rtxserver.port: expected number, received string`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(top level)';
    // A bad record key (peer name) carries the real reason one level down.
    const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    const message = (inner ?? issue.message).replace(/^Invalid input: /, '');
    return `${path}: ${message}`;
  });
}

export function parseConfigText(text: string, file: string): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  const problems = yamlProblems(doc, text);
  if (problems.length > 0) throw new ConfigError(file, problems);
  const result = configSchema.safeParse(doc.toJS());
  if (!result.success) throw new ConfigError(file, formatIssues(result.error.issues));
  return result.data;
}

export interface LoadedConfig {
  file: string;
  config: Config;
}

/**
 * The config file, parsed, with every controller-side path in it expandable here: a path with
 * an unset variable is a ConfigError (exit 2) naming the field, before any command starts
 * anything, instead of an error from deep inside a send, a worker or the codec.
 */
export async function loadConfig(explicit?: string, host: ControllerHost = currentHost()): Promise<LoadedConfig> {
  const file = findConfigFile(explicit, host);
  const config = parseConfigText(configText(await readFile(file), file), file);
  const problems = controllerPathProblems(config, host);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { file, config };
}

/**
 * The config's paths on this machine, each with where it is in the file (`peers.box.privateKey`).
 * An `agent:` that names an agent (pageant, openssh) or a Windows pipe is not a path.
 */
function controllerPathFields(config: Config): [field: string, path: string][] {
  const { controller: c } = config;
  const fields: [string, string][] = [
    ['controller.credentialsPath', c.credentialsPath],
    ['controller.auditLog', c.auditLog],
  ];
  if (c.repo !== undefined) fields.push(['controller.repo', c.repo]);
  if (c.codec !== undefined) fields.push(['controller.codec.keyFile', c.codec.keyFile]);
  for (const [name, peer] of Object.entries(config.peers)) {
    if (peer.privateKey !== undefined) fields.push([`peers.${name}.privateKey`, peer.privateKey]);
    fields.push([`peers.${name}.knownHosts`, peer.knownHosts]);
    const { agent } = peer;
    if (typeof agent === 'string' && agent !== 'pageant' && agent !== 'openssh' && !isWindowsPipe(agent)) {
      fields.push([`peers.${name}.agent`, agent]);
    }
  }
  return fields;
}

/** One line per controller path that cannot be expanded on `host` (an unset variable, `~user`). */
export function controllerPathProblems(config: Config, host: ControllerHost = currentHost()): string[] {
  return controllerPathFields(config).flatMap(([field, p]) => {
    try {
      expandHome(p, host);
      return [];
    } catch (err) {
      if (err instanceof ControllerPathError) return [`${field}: ${err.message}`];
      throw err;
    }
  });
}

/** The config file's text: UTF-8 with or without BOM, or UTF-16 with BOM (Notepad, PowerShell's >). */
export function configText(bytes: Uint8Array, file: string, platform: NodeJS.Platform = process.platform): string {
  try {
    return decodeTextFile(bytes, 'the file', { path: file, platform }).text;
  } catch (err) {
    if (err instanceof TextFileRefused) throw new ConfigError(file, [err.message]);
    throw err;
  }
}

/** The peer's settings, or an error that lists the peers there are. */
export function getPeer(config: Config, name: string): PeerConfig {
  const peer = config.peers[name];
  if (!peer) {
    throw new Error(`unknown peer "${name}" (configured: ${Object.keys(config.peers).join(', ')})`);
  }
  return peer;
}
