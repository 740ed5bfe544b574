/**
 * Where the pinned real Claude Code lives (installed by scripts/install-claude-code.sh from the
 * version in test/contract/claude-code.version).
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const INSTALL_SCRIPT = 'scripts/install-claude-code.sh';

/** The pinned version, e.g. "2.1.328". */
export function claudeCodeVersion(): string {
  return readFileSync(resolve(__dirname, 'claude-code.version'), 'utf8').trim();
}

function platformPackage(): string {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  if (process.platform === 'darwin') return `claude-code-darwin-${arch}`;
  // musl detection: glibc's report is present on glibc systems
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const musl = process.platform === 'linux' && !report?.header?.glibcVersionRuntime;
  return `claude-code-linux-${arch}${musl ? '-musl' : ''}`;
}

/**
 * The native `claude` executable of the pinned version; throws naming the install script when
 * it is absent. CLAUDE_CODE_EXECUTABLE overrides it (e.g. to try another build).
 */
export function claudeExecutable(): string {
  const override = process.env.CLAUDE_CODE_EXECUTABLE;
  if (override) return override;
  const version = claudeCodeVersion();
  const exe = resolve(
    REPO_ROOT,
    '.cache',
    'claude-code',
    version,
    'node_modules',
    '@anthropic-ai',
    platformPackage(),
    'claude',
  );
  try {
    accessSync(exe, constants.X_OK);
  } catch {
    throw new Error(`Claude Code ${version} is not installed (${exe} missing); run: bash ${INSTALL_SCRIPT}`);
  }
  return exe;
}
