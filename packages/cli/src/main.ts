import { Command, CommanderError, Option } from 'commander';
import type { GlobalOptions } from './context.js';
import { describeError, exitCodeFor, EXIT } from './errors.js';

/**
 * The `dindex` command line. Each command's module is imported only when that command runs,
 * so `dindex --help` or `dindex daemon status` loads little.
 */
export async function run(argv: string[], version: string): Promise<void> {
  const program = new Command('dindex')
    .description('a local document index: one daemon, full-text and vector search')
    .version(version, '-V, --version')
    .option('--socket <path>', 'daemon socket (default: $DINDEX_SOCKET, $XDG_RUNTIME_DIR/dindex/dindex.sock)')
    .option('--home <dir>', 'data directory (default: $DINDEX_HOME, ~/.local/share/dindex)')
    .option('--config <file>', 'config file for a daemon this command starts (default: <home>/config.toml)')
    .option('--json', 'print one JSON document on stdout')
    .option('--no-autostart', 'fail with exit code 3 instead of starting the daemon')
    .showSuggestionAfterError()
    .exitOverride();

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  const daemon = program.command('daemon').description('start, stop and inspect the daemon').exitOverride();
  daemon.command('start')
    .description('start the daemon in the background and wait until it is ready')
    .option('--foreground', 'run in this terminal, logging to stdout')
    .action(async (opts: { foreground?: boolean }) => (await import('./commands/daemon.js')).daemonStart({ ...globals(), ...opts }));
  daemon.command('stop')
    .description('stop the daemon gracefully (in-flight requests finish)')
    .action(async () => (await import('./commands/daemon.js')).daemonStop(globals()));
  daemon.command('restart')
    .description('stop the daemon if it runs, then start it')
    .action(async () => (await import('./commands/daemon.js')).daemonRestart(globals()));
  daemon.command('status')
    .description('show whether the daemon runs, and how it is doing (exit code 3 when not running)')
    .action(async () => (await import('./commands/daemon.js')).daemonStatus(globals()));
  daemon.command('logs')
    .description('print the background daemon log')
    .option('-f, --follow', 'keep printing new lines')
    .addOption(new Option('-n, --lines <count>', 'lines to show from the end').default('50'))
    .action(async (opts: { follow?: boolean; lines: string }) =>
      (await import('./commands/daemon.js')).daemonLogs({ ...globals(), ...opts }));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.stderr.write(describeError(err) + '\n');
    process.exitCode = exitCodeFor(err);
  }
}
