import { spawn, type ChildProcess } from 'node:child_process';
import { DAEMON } from './env.js';
import { waitFor } from './processes.js';

/**
 * What systemd does for the daemon, done by python3 (Node has no Unix datagram sockets and
 * cannot hand a listening socket to a child as fd 3): a notification socket that records
 * every sd_notify message, and socket activation.
 */
export interface NotifyReceiver {
  messages: string[];
  close(): void;
}

const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    print(s.recv(65536).decode().replace("\\n", " "), flush=True)
`;

export async function startNotifyReceiver(path: string): Promise<NotifyReceiver> {
  const child = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  let listening = false;
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buffered += d;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line === 'listening') listening = true;
      else messages.push(line);
    }
  });
  await waitFor(() => listening, 10_000, 'the notify receiver');
  return { messages, close: () => child.kill() };
}

const ACTIVATOR = `
import os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o600)
s.listen(64)
os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], sys.argv[2:])
`;

/** Binds the socket, then becomes the daemon (same pid) with the socket as fd 3, as systemd does. */
export function spawnSocketActivated(socket: string, env: NodeJS.ProcessEnv, args: string[] = []): ChildProcess {
  return spawn('python3', ['-c', ACTIVATOR, socket, process.execPath, DAEMON, '--foreground', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}
