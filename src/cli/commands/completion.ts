/** `peer-comms completion <shell>`: a completion script for bash, zsh, fish or PowerShell; `__complete` (hidden) answers it. */
import { Argument, type Command } from 'commander';
import { UsageError } from '../exit';

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (commands, options, peer names from the peers file)')
    .addArgument(
      new Argument('<shell>', 'bash, zsh, fish or powershell').choices(['bash', 'zsh', 'fish', 'powershell']),
    )
    .addHelpText(
      'after',
      `
Examples:
  peer-comms completion bash > ~/.local/share/bash-completion/completions/peer-comms
  peer-comms completion zsh > "\${fpath[1]}/_peer-comms"
  peer-comms completion fish > ~/.config/fish/completions/peer-comms.fish
  peer-comms completion powershell | Out-String | Invoke-Expression   # in $PROFILE`,
    )
    .action(async (shell: string) => {
      const { SHELLS, completionScript } = await import('../completion-scripts.js');
      const known = SHELLS.find((s) => s === shell);
      if (!known) throw new UsageError(`unknown shell "${shell}": ${SHELLS.join(', ')}`);
      process.stdout.write(completionScript(known));
    });

  program
    .command('__complete', { hidden: true })
    .description('the candidates for the word being completed, one a line (used by the completion scripts)')
    .option('--cur <word>', 'the word being completed', '')
    .argument('[words...]', 'the words before it, after "--"')
    .helpOption(false)
    .action(async (words: string[], opts: { cur: string }) => {
      const { completions, peerNames } = await import('../completion.js');
      const lines = await completions(program, words, opts.cur, peerNames);
      process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
    });
}
