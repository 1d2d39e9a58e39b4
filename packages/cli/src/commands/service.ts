import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveClientPaths } from '@dindex/client';
import { daemonEntry, type GlobalOptions } from '../context.js';
import { CliError } from '../errors.js';
import { printJson } from '../output.js';
import { userServiceUnit, userSocketUnit } from '../service/units.js';

const UNITS = ['dindex.socket', 'dindex.service'] as const;

/** Where the user's systemd looks for units. */
function unitDirectory(): string {
  const config = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(config, 'systemd', 'user');
}

/** Runs `systemctl --user …`; null when systemd is not installed at all. */
function systemctl(...args: string[]): { ok: boolean; output: string } | null {
  const result = spawnSync('systemctl', ['--user', ...args], { encoding: 'utf8' });
  if (result.error) return null;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * Writes the user's socket and service units (socket activation: the daemon starts on the
 * first connection), with this installation's node and daemon, then enables the socket. Where
 * systemd is absent or its user manager unreachable, the units are written and printed with
 * the commands to run.
 */
export function serviceInstall(options: GlobalOptions): void {
  const directory = unitDirectory();
  // The service gets the paths this command resolves, so clients and the service agree.
  const paths = resolveClientPaths(options);
  const runtimeDefault = process.env.XDG_RUNTIME_DIR ? path.join(process.env.XDG_RUNTIME_DIR, 'dindex', 'dindex.sock') : null;
  const socket = paths.socket === runtimeDefault ? undefined : paths.socket;
  const environment: Record<string, string> = { DINDEX_HOME: paths.home };
  if (options.config || process.env.DINDEX_CONFIG) environment.DINDEX_CONFIG = paths.config;
  if (socket) environment.DINDEX_SOCKET = socket;
  const units = {
    'dindex.service': userServiceUnit({ execStart: `${process.execPath} ${daemonEntry()} --foreground`, environment }),
    'dindex.socket': userSocketUnit(socket ? { socket } : {}),
  };
  fs.mkdirSync(directory, { recursive: true });
  for (const [name, text] of Object.entries(units)) fs.writeFileSync(path.join(directory, name), text);

  const reload = systemctl('daemon-reload');
  const enable = reload?.ok ? systemctl('enable', '--now', 'dindex.socket') : null;
  const enabled = enable?.ok === true;
  if (options.json) {
    printJson({ installed: true, unit_directory: directory, units: Object.keys(units), enabled, systemd: reload !== null, message: enable?.output ?? reload?.output ?? null });
    return;
  }
  process.stderr.write(`wrote ${UNITS.map((u) => path.join(directory, u)).join(' and ')}\n`);
  if (enabled) {
    process.stderr.write('enabled dindex.socket: the daemon starts on the first connection (systemctl --user status dindex)\n');
    return;
  }
  if (reload === null) {
    process.stderr.write('systemd is not available here; the units are:\n');
    process.stdout.write(Object.entries(units).map(([name, text]) => `# ${name}\n${text}`).join('\n'));
    return;
  }
  process.stderr.write(`could not enable them (${(enable ?? reload).output}); once your user manager runs:\n`
    + '  systemctl --user daemon-reload && systemctl --user enable --now dindex.socket\n');
}

export function serviceUninstall(options: GlobalOptions): void {
  const directory = unitDirectory();
  const disable = systemctl('disable', '--now', ...UNITS);
  let removed = 0;
  for (const unit of UNITS) {
    const file = path.join(directory, unit);
    if (fs.existsSync(file)) {
      fs.rmSync(file);
      removed++;
    }
  }
  if (disable !== null) systemctl('daemon-reload');
  if (options.json) printJson({ removed, unit_directory: directory });
  else process.stderr.write(removed ? `removed the dindex units from ${directory}\n` : `no dindex units in ${directory}\n`);
}

export function serviceStatus(options: GlobalOptions): void {
  const directory = unitDirectory();
  const installed = UNITS.filter((u) => fs.existsSync(path.join(directory, u)));
  const active = Object.fromEntries(UNITS.map((u) => [u, systemctl('is-active', u)?.output.split('\n')[0] ?? null]));
  if (options.json) {
    printJson({ installed: installed.length === UNITS.length, unit_directory: directory, units: installed, active });
    return;
  }
  if (installed.length === 0) throw new CliError(`the dindex user service is not installed (${directory}); run: dindex service install`);
  for (const unit of UNITS) {
    process.stdout.write(`${unit}: ${installed.includes(unit) ? 'installed' : 'missing'}, ${active[unit] ?? 'systemd not available'}\n`);
  }
}
