/**
 * A controller worker in its own process for the fault suite, so a trial can SIGKILL it. It runs
 * a workflow bundle built once per suite (argv bundle path), so each worker starts in a second
 * or two instead of bundling the workflows again.
 *
 * argv: <config.json> <taskQueue> <address> <namespace> <bundle.js> [<activity>[@<ms>]]
 * With a kill point it SIGKILLs itself the moment that activity's real work has finished (before
 * Temporal hears of the result), or, with `@<ms>`, that long after the activity started.
 * Prints `worker ready <pid>` once it polls.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../src/activities';
import { configSchema } from '../../src/config/schema';
import { PeerShellPool } from '../../src/peer-access/pool';
import { realDeps } from '../../src/workers/controller';
import { peerConnector } from '../../src/workers/peer-shells';

async function main(): Promise<void> {
  const [configPath, taskQueue, address, namespace, bundle, killAt] = process.argv.slice(2);
  if (!configPath || !taskQueue || !address || !namespace || !bundle) {
    throw new Error('usage: chaos-worker config tq address ns bundle [activity[@ms]]');
  }
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = configSchema.parse(JSON.parse(readFileSync(configPath, 'utf8')));
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  const pool = new PeerShellPool(peerConnector(config));
  const activities: Activities = createActivities(realDeps(config, pool, client, taskQueue));
  if (killAt) {
    const [activity, delayMs] = killAt.split('@');
    const name = activity as keyof Activities;
    const real = activities[name] as (...args: unknown[]) => Promise<unknown>;
    if (typeof real !== 'function') throw new Error(`no activity ${String(activity)}`);
    const die = (): void => {
      process.stdout.write(`killing myself ${delayMs !== undefined ? `${delayMs} ms into` : 'after'} ${name}\n`);
      process.kill(process.pid, 'SIGKILL');
    };
    (activities as Record<string, unknown>)[name] = async (...a: unknown[]): Promise<unknown> => {
      if (delayMs !== undefined) setTimeout(die, Number(delayMs));
      const result = await real(...a);
      if (delayMs === undefined) {
        die();
        await new Promise<never>(() => undefined); // never report the result
      }
      return result;
    };
  }
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    workflowBundle: { codePath: bundle },
    shutdownGraceTime: '1 second',
  });
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write(`worker ready ${process.pid}\n`);
  await running;
  await pool.closeAll();
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos-worker: ${String(err)}\n`);
  process.exit(1);
});
