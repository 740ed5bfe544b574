/**
 * What every command shares: the peers file (--config, read once per run and remembered for
 * messages and the codec), the Temporal connection (with a readable line when it fails), the
 * output streams and the way a command ends (its exit code, flushed output). Commands get it
 * from main.ts; nothing here is loaded that a command does not need (the Temporal modules load
 * on first connect).
 */
import type { Command } from 'commander';
import type { Client, Connection } from '@temporalio/client';
import type * as ConfigLoad from '../config/load';
import type { LoadedConfig } from '../config/load';
import type { Config } from '../config/schema';
import type { TemporalSettings } from '../temporal/connection';
import { UsageError } from './exit';
import { flushed } from './stdio';

export interface Connected {
  client: Client;
  connection: Connection;
  settings: TemporalSettings;
}

/** What a command that only talks to Temporal gets (job, fleet): its lines go to stdout/stderr. */
export interface ClientContext {
  client: Client;
  settings: TemporalSettings;
  /** The controller's task queue. */
  taskQueue: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface CommandContext {
  /** The peers file (--config, $PEER_COMMS_CONFIG, ./peers.yaml, the user config dir). */
  loadConfig(): Promise<LoadedConfig>;
  /** Connects to Temporal, or fails within ~1.5 s with a line that says where and what to do (exit 5). */
  connect(): Promise<Connected>;
  /** A usage error (exit 2) naming the peers file when the peer is not in it. */
  requirePeer(config: Config, name: string): void;
  /** Loads the config, connects, runs `fn` (its result is the exit code), closes the connection. */
  withClient(fn: (ctx: ClientContext) => Promise<number>): Promise<void>;
  /** The global options to pass on when a command runs another (`dev` runs `worker`). */
  globalArgs(): string[];
  out: (line: string) => void;
  err: (line: string) => void;
  /**
   * Exits now with `code` once everything printed is out; `connection` is told to close but not
   * waited for (closing gRPC channels politely costs ~0.1 s).
   */
  exitNow(code?: number, connection?: { close(): Promise<void> }): Promise<never>;
}

export function commandContext(program: Command): CommandContext {
  const configOpt = (): string | undefined => program.opts<{ config?: string }>().config;
  /** The config file read last: named when a peer is not in it. */
  let configFileRead: string | undefined;
  /** The config read last: its `controller.codec` turns on encryption at rest for the client. */
  let configRead: LoadedConfig['config'] | undefined;
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  /** The config loader (yaml and zod, ~0.1 s to load): loaded on the first loadConfig, not for --help. */
  let configModule: typeof ConfigLoad | undefined;

  const ctx: CommandContext = {
    async loadConfig() {
      configModule ??= await import('../config/load.js');
      const loaded = await configModule.loadConfig(configOpt());
      configFileRead = loaded.file;
      configRead = loaded.config;
      return loaded;
    },
    async connect() {
      const { connectClient } = await import('../temporal/connection.js');
      const { codecOptions } = await import('../temporal/codec.js');
      const codec = await codecOptions(configRead); // a bad key setting: a config error (exit 2), not "cannot connect"
      // a failed connect is a TemporalUnreachable (exit 5) that says where and what to do
      // (src/temporal/reachable.ts); an unreadable TLS file a ConfigError (exit 2)
      const connected = await connectClient(codec);
      const uiUrl = configRead?.temporal.uiUrl; // the Web UI links' base (src/temporal/ui-link.ts)
      return uiUrl ? { ...connected, settings: { ...connected.settings, uiUrl } } : connected;
    },
    requirePeer(config, name) {
      if (!configModule) throw new Error('requirePeer needs loadConfig first');
      try {
        configModule.getPeer(config, name);
      } catch (e) {
        throw new UsageError(`${(e as Error).message}${configFileRead ? ` in ${configFileRead}` : ''}`);
      }
    },
    async withClient(fn) {
      const { config } = await ctx.loadConfig();
      const { client, connection, settings } = await ctx.connect();
      try {
        process.exitCode = await fn({ client, settings, taskQueue: config.controller.taskQueue, out, err });
      } finally {
        await connection.close();
      }
    },
    globalArgs() {
      const c = configOpt();
      return c ? ['--config', c] : [];
    },
    out,
    err,
    async exitNow(code, connection) {
      await flushed(process.stdout);
      await flushed(process.stderr);
      void connection?.close();
      process.exit(code);
    },
  };
  return ctx;
}
