#!/usr/bin/env node
// Copies the fault suite's last results (test/chaos/last-run.md, written by
// test/chaos/faults.test.ts) into README.md between <!-- faults:start --> and <!-- faults:end -->.
// Usage: node scripts/faults-table.mjs [--check]   (--check: exit 1 if README.md is not up to date)
// The table is formatted with the repo's prettier settings, so README.md stays prettier-clean.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import prettier from 'prettier';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const lastRunPath = join(root, 'test', 'chaos', 'last-run.md');
const readmePath = join(root, 'README.md');
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
// formatted as prettier formats README.md, so `prettier --check README.md` stays clean
const options = { ...(await prettier.resolveConfig(readmePath)), parser: 'markdown' };
const body = await prettier.format([`_${runLine.trim()}_`, '', ...table, ''].join('\n'), options);
const block = [START, '', body.trimEnd(), '', END].join('\n');

const readme = readFileSync(readmePath, 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < a) {
  console.error(`README.md lacks the markers ${START} … ${END}`);
  process.exit(1);
}
const next = readme.slice(0, a) + block + readme.slice(b + END.length);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md: the faults table is not the last run; run node scripts/faults-table.mjs');
    process.exit(1);
  }
  process.exit(0);
}
writeFileSync(readmePath, next);
console.log(`README.md: faults table updated (${table.length - 2} rows)`);
