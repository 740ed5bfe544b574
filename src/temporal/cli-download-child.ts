/**
 * The child process of `downloadWithSdk` (cli-download.ts): has @temporalio/testing download the
 * Temporal CLI into the folder given as the first argument.
 *
 * The SDK downloads only on the way to starting a server, so this starts a throwaway in-memory
 * dev server on a free loopback port and stops it at once. It runs in a process of its own
 * because that server writes its banner to the inherited stdout (it would end up in
 * `peer-comms demo --json`), and because the SDK's Runtime singleton must not be taken before
 * the CLI installs its own.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: cli-download-child <download folder>');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { ip: '127.0.0.1', executable: { type: 'cached-download', downloadDir: dir } },
  });
  await env.teardown();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
