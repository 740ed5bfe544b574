/** The package's version for `peer-comms --version`: read from package.json (one small file), nothing else loaded. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** package.json sits two folders up from both src/cli (tsx) and dist/cli (built). */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
