#!/usr/bin/env node
// Runs the test suite with Node's built-in runner through tsx.
// Usage: node scripts/run-tests.mjs [dir-or-file ...]   (default: test/)
// Exits non-zero on any failure. Test files run one at a time: the end-to-end files each
// start a Temporal dev server, sshd and tmux, and a 2-core machine runs them best in turn.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(p, out) {
  if (statSync(p).isDirectory()) {
    for (const name of readdirSync(p).sort()) collect(join(p, name), out);
  } else if (p.endsWith('.test.ts')) {
    out.push(p);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error('no test files found under', roots.join(' ') || 'test');
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-force-exit',
    // a hung test fails after 10 minutes instead of holding CI (the limit also applies to each
    // whole file: the fault suite and the real-Claude contract file run a few minutes each)
    '--test-timeout=600000',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
