/**
 * The `peer-comms` program itself: its name, the global --config option, and how a run ends:
 * the exit code every error maps to (README: 0 ok, 1 failed, 2 usage, 3 queued, 4 unconfirmed).
 */
import { Command, CommanderError } from 'commander';
import { EXIT, UsageError } from './exit';
import { flushed, outputClosed, reportError } from './stdio';

export function createProgram(): Command {
  return (
    new Command()
      .name('peer-comms')
      .description('Durable sends to Claude Code agents in tmux on peer machines, through Temporal')
      .option('-c, --config <file>', 'peers file (default: $PEER_COMMS_CONFIG, ./peers.yaml, the user config dir)')
      .showHelpAfterError()
      // Parse errors (unknown option, missing argument) are usage errors: exit 2, not commander's 1.
      .exitOverride()
  );
}

/** The exit code of an error that reached the top, printed as one line (commander printed its own). */
function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander printed the message (and the help) already; --help and --version exit 0
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof Error && err.name === 'ConfigError') {
    // by name: importing ConfigError would load yaml and zod for every run (--help too)
    if (!outputClosed(process.stderr)) process.stderr.write(`config: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof Error && err.name === 'TextRefused') {
    // the input gate in startSend (the demo's --text): a usage error too
    reportError(err);
    return EXIT.usage;
  }
  if (err instanceof UsageError) {
    reportError(err);
    const hint = (err as { hint?: unknown }).hint;
    if (typeof hint === 'string' && !outputClosed(process.stderr)) process.stderr.write(`  hint: ${hint}\n`);
    return EXIT.usage;
  }
  reportError(err);
  return EXIT.failed;
}

/** Parses the command line and runs the command; an error exits with its code once the output is out. */
export function runProgram(program: Command, argv: readonly string[]): void {
  program
    .parseAsync(argv)
    .then(async () => {
      await flushed(process.stdout);
    })
    .catch(async (err: unknown) => {
      const code = exitCodeOf(err);
      await flushed(process.stdout);
      await flushed(process.stderr);
      process.exit(code);
    });
}
