import os from 'node:os';
import { ipc } from './cases/ipc.js';
import { growth } from './cases/growth.js';
import { ingestSearch } from './cases/ingest-search.js';
import { quality } from './cases/quality.js';
import { vectors } from './cases/vectors.js';
import { load } from './cases/load.js';
import { importDump } from './cases/import.js';

/**
 * `pnpm bench [case...]`: runs the named cases (all by default) and prints one JSON document
 * with each case's figures, its same-run baseline and the ratio, plus the machine it ran on.
 */
const CASES: Record<string, () => Promise<Record<string, unknown>>> = { ipc, quality, 'ingest-search': ingestSearch, growth, vectors, load, import: importDump };

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = requested.filter((name) => !(name in CASES));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark case(s): ${unknown.join(', ')}; known: ${Object.keys(CASES).join(', ')}\n`);
  process.exit(2);
}
const names = requested.length > 0 ? requested : Object.keys(CASES);
const results: Record<string, unknown> = {};
for (const name of names) {
  process.stderr.write(`bench: ${name}...\n`);
  const started = performance.now();
  results[name] = { ...(await CASES[name]!()), case_seconds: Math.round((performance.now() - started) / 100) / 10 };
}
process.stdout.write(JSON.stringify({
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  date: new Date().toISOString(),
  results,
}, null, 2) + '\n');
