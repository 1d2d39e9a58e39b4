import { fileURLToPath } from 'node:url';
import { DaemonClient, type ConnectOptions } from '@dindex/client';

/** Options every command accepts. */
export interface GlobalOptions {
  socket?: string;
  home?: string;
  config?: string;
  json?: boolean;
  autostart: boolean;
}

export function daemonEntry(): string {
  return fileURLToPath(import.meta.resolve('@dindex/daemon/bin'));
}

/** Connects as the command line should: auto-starting unless `--no-autostart`. */
export function connect(options: GlobalOptions, extra: Partial<ConnectOptions> = {}): Promise<DaemonClient> {
  return DaemonClient.connect({
    ...(options.socket ? { socket: options.socket } : {}),
    ...(options.home ? { home: options.home } : {}),
    ...(options.config ? { config: options.config } : {}),
    autoStart: options.autostart,
    daemonEntry: daemonEntry(),
    clientName: 'dindex-cli',
    ...extra,
  });
}

/** Runs `work` with a connected client and closes the connection afterwards, whatever happens. */
export async function withClient<T>(options: GlobalOptions, work: (client: DaemonClient) => Promise<T>): Promise<T> {
  const client = await connect(options);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}
