#!/usr/bin/env node
/**
 * The built CLI's entry: `npm run build` (scripts/bundle-cli.mjs) puts this file at
 * dist/cli/main.js and the program compiled from main.ts beside it as main-all.js.
 *
 * `peer-comms send …` runs from one pre-bundled file (dist/cli/send-bundle.js: the same program,
 * every module in it) with the V8 code cache made at build time: one file read and little
 * compiling instead of ~520 files resolved, read and compiled (docs/performance.md, "The CLI's own
 * cost"). Every other command, and `send` when the bundle is missing, runs main-all.js as before.
 * A cache V8 refuses (another Node) is ignored: the bundle is then compiled as any file is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';

export const BUNDLE = 'send-bundle.js';
export const CODE_CACHE = `${BUNDLE}.cache`;

/**
 * The command a command line runs when only the global --config comes before it (`-c x`,
 * `--config x`, `--config=x`); undefined otherwise (an option first is left to the program).
 */
export function commandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '--config') i++;
    else if (!a.startsWith('--config=')) return a.startsWith('-') ? undefined : a;
  }
  return undefined;
}

/** The bundle compiled with its code cache (when V8 takes it), as a CommonJS module's function. */
export function compileBundle(dir: string): {
  script: Script;
  run: () => void;
} {
  const file = join(dir, BUNDLE);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(join(dir, CODE_CACHE));
  } catch {
    // no cache: compiled as any file
  }
  // as Node loads a file: its #! line blanked, wrapped as a CommonJS module
  const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
  const script = new Script(wrap(source), { filename: file, cachedData });
  const run = (): void => {
    const mod = { exports: {} };
    (script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, createRequire(file), mod, file, dir);
  };
  return { script, run };
}

function main(): void {
  if (commandOf(process.argv.slice(2)) === 'send' && existsSync(join(__dirname, BUNDLE))) {
    compileBundle(__dirname).run();
    return;
  }
  createRequire(__filename)(join(__dirname, 'main-all.js'));
}

if (require.main === module) main();
