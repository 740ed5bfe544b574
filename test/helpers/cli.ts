/** Runs the `peer-comms` CLI from source (through tsx) against a test stack's Temporal server. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Stack } from './stack';

const ROOT = join(__dirname, '..', '..');
const TSX = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(stack: Stack, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), ...args],
      {
        cwd: stack.dir,
        env: { ...process.env, TEMPORAL_ADDRESS: stack.settings.address, TEMPORAL_NAMESPACE: stack.settings.namespace },
        timeout: 120_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
