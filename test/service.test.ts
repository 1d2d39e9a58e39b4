import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DaemonClient } from '@dindex/client';
import { packagedUnits } from '../packages/cli/src/service/units.js';
import { makeTestEnv, ROOT, withTestEnv } from './helpers/env.js';
import { runCli, spawnDaemon, stopDaemon, waitFor } from './helpers/processes.js';
import { spawnSocketActivated, startNotifyReceiver } from './helpers/systemd.js';

function verify(units: string[], user: boolean, dir: string): { status: number | null; output: string } {
  const runtime = path.join(dir, 'xdg-runtime');
  fs.mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const result = spawnSync('systemd-analyze', [...(user ? ['--user'] : []), 'verify', ...units], {
    encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtime },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

describe('service files', () => {
  it('deploy/ holds exactly the units dindex renders, and systemd-analyze verify passes on each without a warning', async () => {
    await withTestEnv(async (t) => {
      for (const [file, text] of Object.entries(packagedUnits())) {
        expect(fs.readFileSync(path.join(ROOT, 'deploy', file), 'utf8'), file).toBe(text);
      }
      const deploy = (f: string): string => path.join(ROOT, 'deploy/systemd', f);
      expect(verify([deploy('user/dindex.socket'), deploy('user/dindex.service')], true, t.dir)).toEqual({ status: 0, output: '' });
      expect(verify([deploy('system/dindex.socket'), deploy('system/dindex.service')], false, t.dir)).toEqual({ status: 0, output: '' });
      const plist = spawnSync('python3', ['-c', 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["ProgramArguments"])', path.join(ROOT, 'deploy/launchd/dev.dindex.daemon.plist')], { encoding: 'utf8' });
      expect(plist.stdout).toContain("'dindexd', '--foreground'");
    });
  });

  it('dindex service install writes units that verify, with this node and daemon; status and uninstall follow them', async () => {
    const t = makeTestEnv();
    const xdg = { XDG_CONFIG_HOME: path.join(t.dir, 'config') };
    try {
      const install = await runCli(t, ['--json', 'service', 'install'], xdg);
      expect(install.code).toBe(0);
      const result = JSON.parse(install.stdout) as { installed: boolean; unit_directory: string; enabled: boolean };
      expect(result).toMatchObject({ installed: true, unit_directory: path.join(t.dir, 'config/systemd/user') });
      const service = fs.readFileSync(path.join(result.unit_directory, 'dindex.service'), 'utf8');
      expect(service).toContain(`ExecStart=${process.execPath} ${path.join(ROOT, 'packages/daemon/bin/dindexd.js')} --foreground`);
      expect(service).toContain(`Environment=DINDEX_HOME=${t.home}`);
      const units = ['dindex.socket', 'dindex.service'].map((u) => path.join(result.unit_directory, u));
      expect(verify(units, true, t.dir)).toEqual({ status: 0, output: '' });

      const status = JSON.parse((await runCli(t, ['--json', 'service', 'status'], xdg)).stdout) as { installed: boolean };
      expect(status.installed).toBe(true);
      expect((await runCli(t, ['service', 'uninstall'], xdg)).code).toBe(0);
      expect(fs.existsSync(units[1]!)).toBe(false);
      expect((await runCli(t, ['service', 'status'], xdg)).stderr).toMatch(/not installed.*dindex service install/);
    } finally {
      t.cleanup();
    }
  });

  it('prints the units where systemd is absent', async () => {
    await withTestEnv(async (t) => {
      const out = await runCli(t, ['service', 'install'], { XDG_CONFIG_HOME: path.join(t.dir, 'config'), PATH: path.join(t.dir, 'empty-path') });
      expect(out.code).toBe(0);
      expect(out.stderr).toContain('systemd is not available here');
      expect(out.stdout).toContain('# dindex.service');
      expect(out.stdout).toContain(`ListenStream=${t.socket}`);
      expect(out.stdout).toContain(`Environment=DINDEX_SOCKET=${t.socket}`);
    });
  });
});

describe('under systemd', () => {
  it('serves the socket passed by socket activation, even to a client that connected before it was ready', async () => {
    await withTestEnv(async (t) => {
      fs.mkdirSync(path.dirname(t.socket), { recursive: true, mode: 0o700 });
      const child = spawnSocketActivated(t.socket, { ...t.env });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // The socket exists as soon as the activator bound it; this connection waits in its backlog.
      await waitFor(() => fs.existsSync(t.socket), 10_000, 'the activation socket');
      const client = await DaemonClient.connect({ socket: t.socket, timeoutMs: 20_000 });
      const status = await client.status();
      expect(status.pid).toBe(child.pid);
      expect(status.socket).toBe(t.socket);
      expect(output).toContain('"socket_activated":true');
      client.close();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The socket belongs to systemd: it stays for the next activation.
      expect(fs.existsSync(t.socket)).toBe(true);
    });
  });

  it('tells systemd READY=1, WATCHDOG=1 at half the watchdog interval, and STOPPING=1', async () => {
    const t = makeTestEnv();
    const notifySocket = path.join(t.dir, 'notify.sock');
    const receiver = await startNotifyReceiver(notifySocket);
    try {
      const daemon = await spawnDaemon(t, [], { NOTIFY_SOCKET: notifySocket, WATCHDOG_USEC: '300000' });
      await waitFor(() => receiver.messages.some((m) => m.includes('READY=1')), 10_000, 'READY=1');
      expect(receiver.messages.find((m) => m.includes('READY=1'))).toContain(`MAINPID=${daemon.pid}`);
      await waitFor(() => receiver.messages.filter((m) => m.includes('WATCHDOG=1')).length >= 3, 10_000, 'three WATCHDOG=1');
      await stopDaemon(daemon);
      await waitFor(() => receiver.messages.some((m) => m.includes('STOPPING=1')), 10_000, 'STOPPING=1');
    } finally {
      receiver.close();
      t.cleanup();
    }
  });
});
