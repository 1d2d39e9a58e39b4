import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './daemon.js';

/** The classic retrieval collections in ../shared/datasets: documents, queries, judgments. */
export interface Collection {
  name: 'cisi' | 'cran' | 'med';
  docs: Array<{ id: string; title: string; text: string }>;
  queries: Array<{ id: string; text: string }>;
  /** query id → document id → graded gain (> 0 is relevant). */
  qrels: Map<string, Map<string, number>>;
}

export const DATASETS_DIR = path.resolve(ROOT, '..', 'shared', 'datasets');

const FILES = {
  cisi: { archive: 'cisi.tar.gz', docs: 'CISI.ALL', queries: 'CISI.QRY', rel: 'CISI.REL' },
  cran: { archive: 'cran.tar.gz', docs: 'cran.all.1400', queries: 'cran.qry', rel: 'cranqrel' },
  med: { archive: 'med.tar.gz', docs: 'MED.ALL', queries: 'MED.QRY', rel: 'MED.REL' },
} as const;

export function loadCollections(): Collection[] {
  if (!fs.existsSync(DATASETS_DIR)) {
    throw new Error(`the test collections are not at ${DATASETS_DIR}; this benchmark needs ../shared/datasets`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dxd-'));
  try {
    return (Object.keys(FILES) as Array<keyof typeof FILES>).map((name) => {
      const f = FILES[name];
      execFileSync('tar', ['-xzf', path.join(DATASETS_DIR, f.archive), '-C', dir]);
      const read = (file: string): string => fs.readFileSync(path.join(dir, file), 'latin1');
      const docs = parseRecords(read(f.docs)).map((r) => ({ id: r.id, title: r.fields.T ?? '', text: r.fields.W ?? '' }));
      const queries = parseRecords(read(f.queries)).map((r, index) => ({
        // cranqrel numbers the queries 1..225 in file order; the others use the .I number.
        id: name === 'cran' ? String(index + 1) : r.id,
        text: [r.fields.T, r.fields.W].filter(Boolean).join(' '),
      }));
      return { name, docs, queries, qrels: parseQrels(name, read(f.rel)) };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `.I id` starts a record; `.X` lines start its fields. */
function parseRecords(text: string): Array<{ id: string; fields: Record<string, string> }> {
  const records: Array<{ id: string; fields: Record<string, string> }> = [];
  let field: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const marker = /^\.([A-Z])(?:\s+(.*))?$/.exec(line);
    if (marker && marker[1] === 'I') {
      records.push({ id: String(Number(marker[2])), fields: {} });
      field = null;
    } else if (marker) {
      field = marker[1]!;
      const current = records.at(-1)!;
      current.fields[field] = current.fields[field] ?? '';
    } else if (field && records.length) {
      const current = records.at(-1)!;
      current.fields[field] += (current.fields[field] ? '\n' : '') + line;
    }
  }
  for (const r of records) for (const k of Object.keys(r.fields)) r.fields[k] = r.fields[k]!.trim();
  return records;
}

function parseQrels(name: Collection['name'], text: string): Map<string, Map<string, number>> {
  const qrels = new Map<string, Map<string, number>>();
  for (const line of text.split(/\r?\n/)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 3) continue;
    let query: string;
    let doc: string;
    let gain = 1;
    if (name === 'med') [query, , doc] = cols as [string, string, string];
    else if (name === 'cisi') [query, doc] = cols as [string, string];
    else {
      [query, doc] = cols as [string, string];
      // Cranfield grades: 1 (complete answer) to 4 (minimal interest); -1 means not relevant.
      const grade = Number(cols[2]);
      gain = grade >= 1 && grade <= 4 ? 5 - grade : 0;
    }
    if (gain <= 0) continue;
    const q = String(Number(query));
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(String(Number(doc)), gain);
  }
  return qrels;
}
