import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DindexError } from '@dindex/protocol';
import { loadConfig, type ConfigSources } from './config/load.js';
import { Daemon } from './lifecycle/daemon.js';
import { resolveDaemonPaths } from './lifecycle/paths.js';
import { ReadyChannel } from './lifecycle/ready-channel.js';
import { ServiceNotifier, takeListenFd } from './lifecycle/systemd.js';
import { createLogger } from './log.js';

/** The daemon process entry (bin/dindexd.js). Clients normally start it through `dindex daemon start`. */
export async function main(argv: string[]): Promise<void> {
  const readyFlag = argv.indexOf('--ready-fd');
  const ready = new ReadyChannel(readyFlag >= 0 ? Number(argv[readyFlag + 1]) : null);

  let daemon: Daemon;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        foreground: { type: 'boolean', default: false },
        home: { type: 'string' },
        socket: { type: 'string' },
        config: { type: 'string' },
        'log-level': { type: 'string' },
        'log-file': { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        'ready-fd': { type: 'string' },
      },
      strict: true,
    });
    const paths = resolveDaemonPaths(process.env, values);
    const overrides: Array<[string, string]> = values.set.map(parseSetting);
    if (values['log-level']) overrides.push(['log_level', values['log-level']]);
    const configSources: ConfigSources = { file: paths.config, env: process.env, overrides };
    const config = loadConfig(configSources);
    const log = createLogger({ level: config.log_level, file: values['log-file'], maxBytes: config.log_max_bytes, keep: config.log_files });
    daemon = new Daemon({
      paths, config, configSources, log, version: daemonVersion(),
      listenFd: takeListenFd(process.env),
      notifier: new ServiceNotifier(process.env, log),
    });
    installProcessHandlers(daemon, log);
    await daemon.start();
  } catch (err) {
    const error = err instanceof DindexError ? err : new DindexError('STARTUP_FAILED', (err as Error).message);
    // Into the log first: the client reads the log's last lines once it has the verdict.
    process.stderr.write(`dindex daemon: ${error.message}\n`);
    ready.failed(error);
    process.exitCode = 1;
    return;
  }
  ready.ready(daemon.pid, daemon.paths.socket);
  await daemon.whenStopped();
  process.exit(0);
}

function parseSetting(pair: string): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new DindexError('CONFIG_INVALID', `--set expects key=value, got "${pair}"`);
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

function installProcessHandlers(daemon: Daemon, log: ReturnType<typeof createLogger>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void daemon.stop(signal));
  }
  process.on('SIGHUP', () => daemon.reload());
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
}

function daemonVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
