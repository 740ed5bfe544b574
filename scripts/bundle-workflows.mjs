#!/usr/bin/env node
// Prebuilds the workflow bundle (dist/workflow-bundle.js) so workers start fast:
// the worker uses it when present and bundles from source otherwise.
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { code } = await bundleWorkflowCode({
  workflowsPath: require.resolve('../dist/workflows'),
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
await writeFile(new URL('../dist/workflow-bundle.js', import.meta.url), code);
