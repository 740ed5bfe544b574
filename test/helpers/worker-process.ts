/**
 * A controller worker in its own process, so a test can SIGKILL it at a chosen instant.
 * argv: <config.json> <taskQueue> <address> <namespace> [<activity>[@<ms>]]
 * env WORKER_BUNDLE: a prebuilt workflow bundle file to run (default: bundle src/workflows).
 * With a kill point, the process kills itself (SIGKILL) the moment that activity's real work
 * has finished — before Temporal hears of the result, the worst moment for a retry — or, with
 * `@<ms>`, that long after the activity started, wherever it is then.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../src/activities';
import { configSchema } from '../../src/config/schema';
import { PeerShellPool } from '../../src/peer-access/pool';
import { peerConnector } from '../../src/workers/peer-shells';
import { realDeps } from '../../src/workers/controller';

async function main(): Promise<void> {
  const [configPath, taskQueue, address, namespace, killAfter] = process.argv.slice(2);
  if (!configPath || !taskQueue || !address || !namespace)
    throw new Error('usage: worker-process config tq address ns [kill]');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = configSchema.parse(JSON.parse(readFileSync(configPath, 'utf8')));
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace });
  const pool = new PeerShellPool(peerConnector(config));
  const activities: Activities = createActivities(realDeps(config, pool, client, taskQueue));
  if (killAfter) {
    // `<activity>`: die when its real work is done; `<activity>@<ms>`: die that long after it starts
    const [activity, delayMs] = killAfter.split('@');
    const name = activity as keyof Activities;
    const real = activities[name] as (...args: unknown[]) => Promise<unknown>;
    if (typeof real !== 'function') throw new Error(`no activity ${String(activity)}`);
    const die = (): never => {
      process.stdout.write(`killing myself ${delayMs ? `${delayMs} ms into` : 'after'} ${name}\n`);
      process.kill(process.pid, 'SIGKILL');
      throw new Error('unreachable');
    };
    (activities as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      if (delayMs !== undefined) setTimeout(die, Number(delayMs));
      const result = await real(...args);
      if (delayMs === undefined) die();
      return result;
    };
  }
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    // WORKER_BUNDLE: a workflow bundle built once by the caller, so many workers start fast
    ...(process.env.WORKER_BUNDLE
      ? { workflowBundle: { codePath: process.env.WORKER_BUNDLE } }
      : { workflowsPath: require.resolve('../../src/workflows') }),
    shutdownGraceTime: '1 second',
  });
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write(`worker ready ${process.pid}\n`);
  await running;
  await pool.closeAll();
}

main().catch((err: unknown) => {
  process.stderr.write(`worker-process: ${String(err)}\n`);
  process.exit(1);
});
