/** `peer-comms lint <file>`: the seven parts every directive must contain. */
import type { Command } from 'commander';

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('check a directive file for the seven parts every directive must contain')
    .argument('<file>', 'the directive (Markdown: headings or YAML front matter); - reads standard input')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Examples:
  peer-comms lint directive.md
  cat directive.md | peer-comms lint - --json`,
    )
    .action(async (file: string, opts: { json?: boolean }) => {
      const { lintFile } = await import('../lint-command.js');
      process.exitCode = await lintFile(file, !!opts.json);
    });
}
