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

  program.command('index')
    .description("index files and directories (recursively); '-' reads one document from stdin")
    .argument('<paths...>', 'files, directories, or -')
    .option('--source <name>', 'source name of the document read from stdin', 'stdin')
    .option('--max-file-bytes <bytes>', 'skip files larger than this', String(8 * 1024 * 1024))
    .action(async (paths: string[], opts: { source?: string; maxFileBytes: string }) =>
      (await import('./commands/index-files.js')).indexFiles(paths, { ...globals(), ...opts }));

  program.command('search')
    .description('search the index (BM25, vector or hybrid); prints source, score and a snippet per result')
    .argument('<query...>', 'words to search for; any characters are fine')
    .addOption(new Option('-k, --k <n>', 'number of results').default('10'))
    .addOption(new Option('--mode <mode>', 'ranking (default: hybrid with a semantic embedder, else bm25)').choices(['bm25', 'vector', 'hybrid']))
    .option('--explain', "show ids, each signal's rank and score, and the fused score")
    .option('--exact', 'rank every term over every chunk it matches, not only the chunks the rarer terms find (slower on large indexes)')
    .option('--source-prefix <prefix>', 'only documents whose source starts with this')
    .option('--where <key=value>', 'only documents with this metadata (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (query: string[], opts: Omit<import('./commands/search.js').SearchOptions, keyof GlobalOptions>) =>
      (await import('./commands/search.js')).search(query, { ...globals(), ...opts }));

  program.command('delete')
    .description('delete documents by id (for files: their absolute path)')
    .argument('<doc-ids...>')
    .action(async (ids: string[]) => (await import('./commands/writes.js')).deleteDocuments(ids, globals()));
  program.command('commit')
    .description('commit everything the daemon has queued, now')
    .action(async () => (await import('./commands/writes.js')).commit(globals()));
  program.command('reembed')
    .description('embed every chunk again with the configured model (after changing it)')
    .option('--detach', 'return at once; the daemon carries on in the background')
    .action(async (opts: { detach?: boolean }) => (await import('./commands/reembed.js')).reembed({ ...globals(), ...opts }));
  program.command('import')
    .description('import a file as a background job in the daemon (JSONL, MediaWiki XML dump, WARC)')
    .argument('<file>', 'the file; the daemon reads it (plain, .bz2 for dumps, .gz for WARC)')
    .addOption(new Option('--format <format>', 'what the file holds').choices(['jsonl', 'wikipedia', 'warc']).makeOptionMandatory())
    .option('--detach', 'print the job id and return; the daemon carries on')
    .action(async (file: string, opts: { format: 'jsonl' | 'wikipedia' | 'warc'; detach?: boolean }) =>
      (await import('./commands/jobs.js')).importFile(file, { ...globals(), ...opts }));
  program.command('scrape')
    .description('crawl web pages into the index as a background job (robots.txt honoured)')
    .argument('<urls...>', 'http(s) URLs to start from')
    .option('--depth <n>', 'links to follow from the start pages', '2')
    .option('--max-pages <n>', 'stop after indexing this many pages', '100')
    .option('--all-hosts', 'follow links to other hosts too')
    .option('--detach', 'print the job id and return; the daemon carries on')
    .action(async (urls: string[], opts: { depth: string; maxPages: string; allHosts?: boolean; detach?: boolean }) =>
      (await import('./commands/jobs.js')).scrape(urls, { ...globals(), ...opts }));
  const jobs = program.command('jobs').description('background jobs: list, show, watch, cancel, resume').exitOverride();
  jobs.command('list', { isDefault: true })
    .description('jobs, newest first')
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']))
    .option('--limit <n>', 'at most this many', '50')
    .action(async (opts: { state?: 'queued'; limit: string }) => (await import('./commands/jobs.js')).jobsList({ ...globals(), ...opts }));
  jobs.command('show')
    .description("a job's state, progress, counts and latest problems")
    .argument('<id>')
    .action(async (id: string) => (await import('./commands/jobs.js')).jobsShow(id, globals()));
  jobs.command('watch')
    .description('follow a job until it ends')
    .argument('<id>')
    .action(async (id: string) => (await import('./commands/jobs.js')).jobsWatch(id, globals()));
  jobs.command('cancel')
    .description('stop a job; what it indexed stays, and it can be resumed')
    .argument('<id>')
    .action(async (id: string) => (await import('./commands/jobs.js')).jobsCancel(id, globals()));
  jobs.command('resume')
    .description('continue an interrupted, failed or cancelled job from its last commit')
    .argument('<id>')
    .option('--detach', 'return at once')
    .action(async (id: string, opts: { detach?: boolean }) => (await import('./commands/jobs.js')).jobsResume(id, { ...globals(), ...opts }));
  const service = program.command('service').description('run the daemon as a systemd user service').exitOverride();
  service.command('install')
    .description('write and enable the user units (socket activation); prints them where systemd is absent')
    .action(async () => (await import('./commands/service.js')).serviceInstall(globals()));
  service.command('uninstall')
    .description('disable and remove the user units')
    .action(async () => (await import('./commands/service.js')).serviceUninstall(globals()));
  service.command('status')
    .description('whether the units are installed and active')
    .action(async () => (await import('./commands/service.js')).serviceStatus(globals()));
  program.command('doctor')
    .description('check the index (SQLite, full-text index, counters, vector index)')
    .option('--repair', 'rebuild what can be rebuilt: the full-text index, the counters, the vector index')
    .action(async (opts: { repair?: boolean }) => (await import('./commands/observe.js')).doctor({ ...globals(), ...opts }));
  program.command('metrics')
    .description('the daemon\'s metrics, in the Prometheus text format')
    .action(async () => (await import('./commands/observe.js')).metrics(globals()));
  program.command('stats')
    .description('documents, chunks, commit sequence and database size')
    .action(async () => (await import('./commands/observe.js')).stats(globals()));

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
