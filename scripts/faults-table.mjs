#!/usr/bin/env node
// Copies the fault suite's last results (test/chaos/last-run.md, written by
// test/chaos/faults.test.ts) into docs/testing.md between <!-- faults:start --> and <!-- faults:end -->.
// Usage: node scripts/faults-table.mjs [--check]   (--check: exit 1 if docs/testing.md is not up to date)
// The table is formatted with the repo's prettier settings, so docs/testing.md stays prettier-clean.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import prettier from 'prettier';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const lastRunPath = join(root, 'test', 'chaos', 'last-run.md');
const docPath = join(root, 'docs', 'testing.md');
const START = '<!-- faults:start -->';
const END = '<!-- faults:end -->';

const lastRun = readFileSync(lastRunPath, 'utf8').split('\n');
const table = lastRun.filter((l) => l.startsWith('|'));
if (table.length < 3) {
  console.error(`${lastRunPath} holds no results table; run: node --import tsx --test test/chaos/faults.test.ts`);
  process.exit(1);
}
if (lastRun.some((l) => l.startsWith('**A partial run'))) {
  console.error(`${lastRunPath} is from a partial run; run the whole suite first`);
  process.exit(1);
}
const runLine = lastRun.find((l) => l.startsWith('Run ')) ?? '';
// formatted as prettier formats docs/testing.md, so `prettier --check docs/testing.md` stays clean
const options = { ...(await prettier.resolveConfig(docPath)), parser: 'markdown' };
const body = await prettier.format([`_${runLine.trim()}_`, '', ...table, ''].join('\n'), options);
const block = [START, '', body.trimEnd(), '', END].join('\n');

const doc = readFileSync(docPath, 'utf8');
const a = doc.indexOf(START);
const b = doc.indexOf(END);
if (a < 0 || b < a) {
  console.error(`docs/testing.md lacks the markers ${START} … ${END}`);
  process.exit(1);
}
const next = doc.slice(0, a) + block + doc.slice(b + END.length);
if (process.argv.includes('--check')) {
  if (next !== doc) {
    console.error('docs/testing.md: the faults table is not the last run; run node scripts/faults-table.mjs');
    process.exit(1);
  }
  process.exit(0);
}
writeFileSync(docPath, next);
console.log(`docs/testing.md: faults table updated (${table.length - 2} rows)`);
