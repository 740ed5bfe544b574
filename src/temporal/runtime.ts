/** The Temporal worker runtime's log level: WARN unless PEER_COMMS_LOG_LEVEL says otherwise. */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

export function installRuntime(): void {
  const wanted = (process.env.PEER_COMMS_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
  Runtime.install({ logger: new DefaultLogger(LEVELS.includes(wanted) ? wanted : 'WARN') });
}
