import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `pnpm demo`: the whole life of a dindex daemon in a temporary home. It starts the daemon,
 * indexes this repository's own documentation and sources, imports the error registry as a
 * JSONL job, runs BM25, vector and hybrid searches, shows the timings and the index statistics,
 * and stops the daemon, all through the real `dindex` CLI.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'packages/cli/bin/dindex.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dindex-demo-'));
// The built-in embedder needs no model or network, so vector and hybrid search work offline.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DINDEX_HOME: path.join(home, 'data'),
  DINDEX_SOCKET: path.join(home, 'run', 'dindex.sock'),
  DINDEX_EMBEDDING_PROVIDER: 'builtin',
};
delete env.DINDEX_CONFIG;

function dindex(...args: string[]): void {
  console.log(`\n$ dindex ${args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', cwd: root });
  const out = (result.stdout + result.stderr).trimEnd();
  if (out) console.log(out.split('\n').map((l) => `  ${l}`).join('\n'));
  console.log(`  (${Math.round(performance.now() - started)} ms, exit ${result.status})`);
  if (result.status !== 0) throw new Error(`dindex ${args[0]} failed`);
}

const sources = ['README.md', 'docs', 'packages/protocol/src', 'packages/client/src', 'packages/daemon/src', 'packages/cli/src']
  .filter((p) => fs.existsSync(path.join(root, p)));

/** docs/errors.md, one JSONL line per error code: something for an import job to read. */
function errorsAsJsonl(): string {
  const file = path.join(home, 'errors.jsonl');
  const rows = [...fs.readFileSync(path.join(root, 'docs/errors.md'), 'utf8').matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)];
  fs.writeFileSync(file, rows.map(([, code, meaning]) => JSON.stringify({ id: `error/${code}`, title: code, text: `${code}: ${meaning}`, source: 'docs/errors.md' })).join('\n'));
  return file;
}

console.log(`dindex demo: a daemon in ${home}`);
try {
  dindex('daemon', 'start');
  dindex('index', ...sources);
  dindex('import', errorsAsJsonl(), '--format', 'jsonl');
  dindex('search', 'disk is full nothing committed is lost', '-k', '2', '--source-prefix', 'docs/errors.md');
  dindex('search', 'how does the daemon handle a stale lock after kill -9', '-k', '3');
  dindex('search', 'backpressure when the ingest queue is full', '-k', '3');
  dindex('search', 'FRAME_TOO_LARGE', '-k', '2');
  dindex('search', 'chunk overlap heading path', '-k', '2', '--source-prefix', path.join(root, 'packages/daemon'));
  dindex('search', 'embedder outage pending vectors', '--mode', 'vector', '-k', '2');
  dindex('search', 'rebuild the vector index after a crash', '--mode', 'hybrid', '--explain', '-k', '3');
  dindex('stats');
  dindex('daemon', 'status');
} finally {
  dindex('daemon', 'stop');
  fs.rmSync(home, { recursive: true, force: true });
}
