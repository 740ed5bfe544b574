/**
 * The Temporal worker runtime, installed once per process: its logger (logging.ts: text or json,
 * level WARN unless PEER_COMMS_LOG_LEVEL says otherwise, the SDK core's own lines forwarded to it)
 * and, with `metrics`, the SDK's metrics on a Prometheus endpoint (http://<host:port>/metrics).
 * Options not given come from PEER_COMMS_LOG_FORMAT and PEER_COMMS_METRICS.
 */
import { Runtime, type LogLevel, type RuntimeOptions as SdkRuntimeOptions } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { LineLogger, LOG_FORMATS, LOG_LEVELS, wantsColor, type LogFormat } from './logging';

export interface RuntimeOptions {
  /** Serve the SDK's metrics for Prometheus on this `host:port` (an IP address, or localhost). */
  metrics?: string;
  logFormat?: LogFormat;
}

/** A bad --metrics or --log-format value (the CLI turns it into a usage error, exit 2). */
export class RuntimeOptionError extends Error {
  override name = 'RuntimeOptionError';
}

/** What the process's runtime was installed with (it cannot be installed twice). */
let installed: { metrics?: string; logFormat: LogFormat; logger: LineLogger } | undefined;

/** `host:port` for the Prometheus endpoint: an IPv4/IPv6 address or localhost, and a port. */
export function parseMetricsAddress(value: string): string {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)|(localhost)):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[4]);
  if (!m || port < 1 || port > 65535) {
    throw new RuntimeOptionError(
      `--metrics: "${value}" is not host:port with an IP address (e.g. 127.0.0.1:9464, or 0.0.0.0:9464 for every interface)`,
    );
  }
  const host = m[1] !== undefined ? `[${m[1]}]` : m[2] !== undefined ? m[2] : '127.0.0.1';
  return `${host}:${port}`;
}

export function parseLogFormat(value: string): LogFormat {
  const v = value.trim().toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(v)) return v as LogFormat;
  throw new RuntimeOptionError(`--log-format: "${value}" is not one of ${LOG_FORMATS.join(', ')}`);
}

/** The options as they will be used: given ones, else the environment's; checked. */
export function resolveRuntimeOptions(opts: RuntimeOptions = {}, env: NodeJS.ProcessEnv = process.env) {
  const metrics = opts.metrics ?? (env.PEER_COMMS_METRICS || undefined);
  return {
    metrics: metrics === undefined ? undefined : parseMetricsAddress(metrics),
    logFormat: opts.logFormat ?? parseLogFormat(env.PEER_COMMS_LOG_FORMAT || 'text'),
  };
}

/** Installs the runtime once; a later call with the same options is a no-op, with others an error. */
export function installRuntime(opts: RuntimeOptions = {}): LineLogger {
  const { metrics, logFormat } = resolveRuntimeOptions(opts);
  if (installed) {
    if (installed.metrics === metrics && installed.logFormat === logFormat) return installed.logger;
    throw new RuntimeOptionError(
      `the Temporal runtime of this process is already installed (metrics ${installed.metrics ?? 'off'}, ${installed.logFormat} logs): it cannot be changed to metrics ${metrics ?? 'off'}, ${logFormat} logs`,
    );
  }
  const wanted = (process.env.PEER_COMMS_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
  const level = LOG_LEVELS.includes(wanted) ? wanted : 'WARN';
  const logger = new LineLogger({
    level,
    format: logFormat,
    color: logFormat === 'text' && wantsColor(process.stderr),
    secrets: secretsToMask(),
  });
  const options: SdkRuntimeOptions = {
    logger,
    telemetryOptions: {
      // the core's lines go through the same logger (one format, no ANSI of its own)
      logging: { filter: { core: level, other: 'ERROR' }, forward: {} },
      ...(metrics ? { metrics: { prometheus: { bindAddress: metrics } } } : {}),
    },
  };
  try {
    Runtime.install(options);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new RuntimeOptionError(
      metrics
        ? `could not serve metrics on ${metrics}: ${why} (is the port in use? pick another with --metrics)`
        : `could not install the Temporal runtime: ${why}`,
    );
  }
  installed = { metrics, logFormat, logger };
  return logger;
}

/** The API key the connection uses (TEMPORAL_API_KEY or the envconfig profile's): never printed. */
export function secretsToMask(env: NodeJS.ProcessEnv = process.env): string[] {
  const out = [env.TEMPORAL_API_KEY ?? ''];
  try {
    const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    const key = loadClientConnectConfig({ overrideEnvVars: vars }).connectionOptions.apiKey;
    if (typeof key === 'string') out.push(key);
  } catch {
    // a bad profile is reported when the worker connects
  }
  return out.filter((s) => s !== '');
}
