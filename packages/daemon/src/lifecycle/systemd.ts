import { spawn } from 'node:child_process';
import type { Logger } from 'pino';

/** The first file descriptor systemd passes (SD_LISTEN_FDS_START). */
const LISTEN_FDS_START = 3;

/**
 * The listening socket systemd passed by socket activation, or null: `LISTEN_PID` must be this
 * process and `LISTEN_FDS` at least 1. The variables are removed, so no child inherits them.
 */
export function takeListenFd(env: NodeJS.ProcessEnv, pid = process.pid): number | null {
  const passed = env.LISTEN_PID === String(pid) && Number(env.LISTEN_FDS) >= 1;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  return passed ? LISTEN_FDS_START : null;
}

/**
 * sd_notify for a unit of Type=notify: READY=1 once serving, STOPPING=1 when stopping, and
 * WATCHDOG=1 at half the interval the unit asks for (WATCHDOG_USEC). Node has no Unix datagram
 * sockets, so the messages go through systemd's own `systemd-notify` (the units set
 * NotifyAccess=all, since the sender is a child). Without NOTIFY_SOCKET it does nothing.
 */
export class ServiceNotifier {
  readonly #log: Logger;
  readonly #enabled: boolean;
  readonly #watchdogMs: number | null;
  #watchdog: NodeJS.Timeout | null = null;
  #warned = false;

  constructor(env: NodeJS.ProcessEnv, log: Logger, pid = process.pid) {
    this.#log = log;
    this.#enabled = Boolean(env.NOTIFY_SOCKET);
    const usec = Number(env.WATCHDOG_USEC);
    const forUs = env.WATCHDOG_PID === undefined || env.WATCHDOG_PID === String(pid);
    this.#watchdogMs = this.#enabled && forUs && usec > 0 ? Math.max(1, Math.floor(usec / 2000)) : null;
  }

  ready(): void {
    this.#send([`--pid=${process.pid}`, 'READY=1']);
    if (this.#watchdogMs !== null) {
      this.#watchdog = setInterval(() => this.#send(['WATCHDOG=1']), this.#watchdogMs);
      this.#watchdog.unref();
    }
  }

  stopping(): void {
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = null;
    this.#send(['STOPPING=1']);
  }

  #send(args: string[]): void {
    if (!this.#enabled) return;
    const child = spawn('systemd-notify', args, { stdio: 'ignore' });
    child.on('error', (err) => {
      if (this.#warned) return;
      this.#warned = true;
      this.#log.warn({ err: err.message }, 'cannot notify systemd: systemd-notify is not available');
    });
    child.unref();
  }
}
