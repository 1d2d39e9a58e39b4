/**
 * The service definitions dindex ships: systemd units (a user service and a system service,
 * each with a socket unit for socket activation) and a launchd agent. `deploy/` holds them as
 * rendered with `PACKAGED_EXEC_START` (a test keeps the two equal); `dindex service install`
 * renders the user units with this installation's own node and daemon paths.
 */
export const PACKAGED_EXEC_START = '/usr/bin/env dindexd --foreground';

const DOCUMENTATION = 'https://www.npmjs.com/package/dindex';

/** Settings shared by both services: readiness and watchdog by sd_notify, reload by SIGHUP. */
const SERVICE_COMMON = `Type=notify
NotifyAccess=all
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=2
WatchdogSec=30
TimeoutStopSec=60`;

export interface UserUnitOptions {
  execStart: string;
  /** Extra `Environment=` assignments (DINDEX_HOME, DINDEX_CONFIG). */
  environment?: Record<string, string>;
  /** Socket path; default: $XDG_RUNTIME_DIR/dindex/dindex.sock, where clients look by default. */
  socket?: string;
}

export function userServiceUnit(options: UserUnitOptions): string {
  const environment = Object.entries(options.environment ?? {}).map(([k, v]) => `Environment=${quote(`${k}=${v}`)}\n`).join('');
  return `[Unit]
Description=dindex local document index
Documentation=${DOCUMENTATION}
Requires=dindex.socket
After=dindex.socket

[Service]
${SERVICE_COMMON}
${environment}ExecStart=${options.execStart}

[Install]
WantedBy=default.target
`;
}

export function userSocketUnit(options: Pick<UserUnitOptions, 'socket'> = {}): string {
  return `[Unit]
Description=dindex socket (starts the daemon on the first connection)
Documentation=${DOCUMENTATION}

[Socket]
ListenStream=${options.socket ?? '%t/dindex/dindex.sock'}
SocketMode=0600
DirectoryMode=0700

[Install]
WantedBy=sockets.target
`;
}

/** A machine-wide daemon as user dindex (create it with deploy/systemd/system/dindex.sysusers). */
export function systemServiceUnit(execStart: string): string {
  return `[Unit]
Description=dindex local document index (system service)
Documentation=${DOCUMENTATION}
Requires=dindex.socket
After=dindex.socket

[Service]
${SERVICE_COMMON}
User=dindex
Group=dindex
StateDirectory=dindex
StateDirectoryMode=0700
Environment=DINDEX_HOME=/var/lib/dindex
Environment=DINDEX_SOCKET=/run/dindex/dindex.sock
ExecStart=${execStart}
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
LockPersonality=yes

[Install]
WantedBy=multi-user.target
`;
}

export function systemSocketUnit(): string {
  return `[Unit]
Description=dindex socket (system service; members of group dindex may connect)
Documentation=${DOCUMENTATION}

[Socket]
ListenStream=/run/dindex/dindex.sock
SocketUser=dindex
SocketGroup=dindex
SocketMode=0660
DirectoryMode=0750

[Install]
WantedBy=sockets.target
`;
}

export const SYSUSERS = `# systemd-sysusers: the account of the dindex system service.
u dindex - "dindex document index" /var/lib/dindex
`;

/** A launchd agent for macOS (~/Library/LaunchAgents); launchd restarts it if it exits. */
export const LAUNCHD_AGENT = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>dev.dindex.daemon</string>
  <key>ProgramArguments</key>
  <array>
    <string>/usr/bin/env</string>
    <string>dindexd</string>
    <string>--foreground</string>
  </array>
  <key>EnvironmentVariables</key>
  <dict>
    <key>PATH</key>
    <string>/usr/local/bin:/opt/homebrew/bin:/usr/bin:/bin</string>
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ProcessType</key>
  <string>Background</string>
</dict>
</plist>
`;

/** The files of deploy/, by path. */
export function packagedUnits(): Record<string, string> {
  return {
    'systemd/user/dindex.service': userServiceUnit({ execStart: PACKAGED_EXEC_START }),
    'systemd/user/dindex.socket': userSocketUnit(),
    'systemd/system/dindex.service': systemServiceUnit(PACKAGED_EXEC_START),
    'systemd/system/dindex.socket': systemSocketUnit(),
    'systemd/system/dindex.sysusers': SYSUSERS,
    'launchd/dev.dindex.daemon.plist': LAUNCHD_AGENT,
  };
}

/** systemd's quoting for a value that may hold spaces. */
function quote(value: string): string {
  return /[\s"\\]/.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : value;
}
