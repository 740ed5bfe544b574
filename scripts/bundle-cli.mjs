#!/usr/bin/env node
// The fast start of `peer-comms send` (docs/performance.md, "The CLI's own cost"), run by
// `npm run build` after tsc:
// 1. dist/cli/main.js (the program compiled from src/cli/main.ts) becomes dist/cli/main-all.js,
//    and the entry src/cli/fast-start.ts takes its place as dist/cli/main.js;
// 2. dist/cli/send-bundle.js: the same program in one file (esbuild), all but the worker's
//    native packages inside it;
// 3. dist/cli/send-bundle.js.cache: V8's code cache of that file, made by running a `send` up
//    to its connect (a dead address: nothing is sent), so the functions a send runs are in it.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dir = fileURLToPath(new URL('../dist/cli/', import.meta.url));
const MARK = 'src/cli/fast-start.ts';

if (process.argv[2] === '--warm') warm(process.argv.slice(3));
else await build();

async function build() {
  const main = join(dir, 'main.js');
  // tsc rewrote main.js with the program (a second run of this script finds the entry there)
  if (!readFileSync(main, 'utf8').includes('fast-start')) {
    const program = readFileSync(main, 'utf8').replace(
      'sourceMappingURL=main.js.map',
      'sourceMappingURL=main-all.js.map',
    );
    writeFileSync(join(dir, 'main-all.js'), program);
    if (existsSync(`${main}.map`)) renameSync(`${main}.map`, join(dir, 'main-all.js.map'));
    copyFileSync(join(dir, 'fast-start.js'), main);
    chmodSync(main, 0o755);
  }
  const esbuild = await import('esbuild').then(
    (m) => m.build,
    () => undefined,
  );
  rmSync(join(dir, 'send-bundle.js.cache'), { force: true });
  // Without a bundle the entry runs every command from main-all.js, as before: slower, not broken.
  const failed = !esbuild
    ? 'esbuild is not installed'
    : await esbuild({
        entryPoints: [join(dir, 'main-all.js')],
        outfile: join(dir, 'send-bundle.js'),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        // native code and the worker's own threads stay files of their packages (send loads none)
        external: ['@temporalio/worker', '@temporalio/core-bridge', '@temporalio/testing', 'cpu-features', '*.node'],
        legalComments: 'none',
        logLevel: 'warning',
        // require.resolve of files beside the compiled modules: only in paths a send never takes
        logOverride: { 'require-resolve-not-external': 'silent' },
        write: false,
      }).then(
        (r) => void replaceFile(join(dir, 'send-bundle.js'), r.outputFiles[0].contents),
        (err) => `bundling failed: ${err.message}`,
      );
  if (failed) {
    rmSync(join(dir, 'send-bundle.js'), { force: true });
    console.warn(`bundle-cli: ${failed}: no send bundle (send starts slower)`);
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'pc-bundle-'));
  try {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--warm', tmp], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (!existsSync(join(dir, 'send-bundle.js.cache'))) {
      console.warn(`bundle-cli: no code cache made (send starts slower): ${r.stderr || r.stdout}`.trim());
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`bundle-cli: ${MARK} → dist/cli/main.js; dist/cli/send-bundle.js (+ its code cache)`);
}

/** Runs `send` from the bundle up to its connect, then writes the code cache of what ran. */
function warm([tmp]) {
  const { utils } = require('ssh2');
  const keys = utils.generateKeyPairSync('ed25519');
  writeFileSync(join(tmp, 'key'), keys.private, { mode: 0o600 });
  writeFileSync(join(tmp, 'known_hosts'), `127.0.0.1 ${keys.public}\n`);
  const peer = {
    host: '127.0.0.1',
    user: 'nobody',
    privateKey: join(tmp, 'key'),
    knownHosts: join(tmp, 'known_hosts'),
  };
  writeFileSync(join(tmp, 'peers.json'), JSON.stringify({ peers: { warm: peer } }));
  const { compileBundle } = require(join(dir, 'fast-start.js'));
  const bundle = compileBundle(dir);
  process.once('exit', () => {
    replaceFile(join(dir, 'send-bundle.js.cache'), bundle.script.createCachedData());
  });
  process.env.TEMPORAL_ADDRESS = '127.0.0.1:1'; // nothing listens: the send fails at its connect
  process.argv = [process.argv[0], join(dir, 'main.js'), '--config', join(tmp, 'peers.json'), 'send', 'warm', 'hi'];
  bundle.run();
}

/** Whole or not at all (a send starting meanwhile reads the old file or the new): written aside, renamed into place. */
function replaceFile(file, contents) {
  const aside = `${file}.${process.pid}`;
  writeFileSync(aside, contents);
  renameSync(aside, file);
}
