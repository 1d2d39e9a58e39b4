/** "127.0.0.1:9464", "[::1]:9464" or "localhost:9464". */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  if (!match) throw new Error(`expected host:port, got "${listen}"`);
  return { host: match[1] ?? match[2]!, port: Number(match[3]) };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
