/** The "Examples:" section at the end of a command's --help (test/unit/help-examples.test.ts wants one everywhere). */
import type { Command } from 'commander';

export function examplesText(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** Adds the examples of `cmd` (by its name) and of each of its subcommands (by theirs). */
export function addExamples(cmd: Command, examples: Record<string, readonly string[]>): void {
  for (const c of [cmd, ...cmd.commands]) {
    const lines = examples[c.name()];
    if (lines) c.addHelpText('after', examplesText(lines));
  }
}
