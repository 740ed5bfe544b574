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
// The inline source map keeps its mappings (stack traces still name the TypeScript file and line)
// but not the sources' text: 0.8 of its 1.2 MB, which the worker holds in memory twice (the
// bundle's text and the parsed map) in each of its two V8 isolates. docs/performance.md, Sizing.
await writeFile(new URL('../dist/workflow-bundle.js', import.meta.url), withoutSourcesContent(code));

function withoutSourcesContent(bundle) {
  const at = bundle.lastIndexOf('//# sourceMappingURL=data:');
  const b64 = bundle.indexOf('base64,', at);
  if (at < 0 || b64 < 0) return bundle;
  const map = JSON.parse(Buffer.from(bundle.slice(b64 + 'base64,'.length).trim(), 'base64').toString('utf8'));
  delete map.sourcesContent;
  return `${bundle.slice(0, b64 + 'base64,'.length)}${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}
