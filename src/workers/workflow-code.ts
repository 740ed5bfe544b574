/**
 * Where the worker gets its workflow code: the bundle prebuilt by `npm run build`
 * (dist/workflow-bundle.js, fast start) or, failing that, bundled now from the sources.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

export function workflowOptions(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const bundle = join(__dirname, '..', 'workflow-bundle.js');
  if (__filename.endsWith('.js') && existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath: require.resolve('../workflows') };
}
