/**
 * The `peer-comms` program itself: its name, the global --config option, and how a run ends:
 * the exit code every error maps to (docs/cli.md: 0 ok, 1 failed, 2 usage, 3 queued, 4 unconfirmed,
 * 5 Temporal unreachable).
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit';
import { errorsAsJson, flushed, reportError } from './stdio';
import { packageVersion } from './version';

export function createProgram(): Command {
  return (
    new Command()
      .name('peer-comms')
      .description('Durable sends to Claude Code agents in tmux on peer machines, through Temporal')
      .option('-c, --config <file>', 'peers file (default: $PEER_COMMS_CONFIG, ./peers.yaml, the user config dir)')
      .version(packageVersion(), '-V, --version', 'print the version of peer-comms')
      .showHelpAfterError()
      // Parse errors (unknown option, missing argument) are usage errors: exit 2, not commander's 1.
      .exitOverride()
  );
}

/** The exit code of an error that reached the top, printed once (as a line, and as JSON with --json). */
function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander printed the message (and the help) already; --help and --version exit 0
    if (err.exitCode === 0) return EXIT.ok;
    return reportError(err, 'peer-comms', { printed: true }).exit;
  }
  // a config error is named by its source (ConfigError, known by name: importing it would load yaml and zod)
  return reportError(err, err instanceof Error && err.name === 'ConfigError' ? 'config' : 'peer-comms').exit;
}

/** Parses the command line and runs the command; an error exits with its code once the output is out. */
export function runProgram(program: Command, argv: readonly string[]): void {
  // --json anywhere before a "--": every error of the run is printed as JSON too
  const dashes = argv.indexOf('--');
  errorsAsJson((dashes < 0 ? argv : argv.slice(0, dashes)).includes('--json'));
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
