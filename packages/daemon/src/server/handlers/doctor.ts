import type { IntegrityCheck } from '../../index/integrity.js';
import type { IndexServices } from '../context.js';
import type { Handler } from '../dispatcher.js';

export const handleDoctor: Handler<'doctor'> = async (body, { daemon }) => {
  const started = performance.now();
  const checks = [...await daemon.index.pipeline.doctor(body.repair), vectorIndexCheck(daemon.index, body.repair)];
  return { ok: checks.every((c) => c.ok), took_ms: Math.round(performance.now() - started), checks };
};

/** The HNSW index against SQLite: the same number of vectors once it has caught up. */
function vectorIndexCheck(index: IndexServices, repair: boolean): IntegrityCheck {
  const status = index.vectors.status();
  const { vectors_seq: vectorsSeq } = index.search.searcher.stats();
  const vectors = index.search.searcher.countVectors();
  const check = (ok: boolean, detail: string, repaired = false): IntegrityCheck => ({ name: 'vector_index', ok, detail, repaired });
  if (status.state === 'disabled') return check(true, 'no embedder configured: no vector index');
  if (status.state === 'building') return check(true, `being rebuilt from the database (${status.built} of ${status.total})`);
  if (status.applied_seq < vectorsSeq) return check(true, `catching up with commit ${vectorsSeq} (at ${status.applied_seq})`);
  if (status.size === vectors) return check(true, `${status.size} vectors, as in the database`);
  const problem = `${status.size} vectors in the HNSW index, ${vectors} in the database`;
  if (!repair) return check(false, problem);
  index.vectors.rebuild();
  return check(true, `${problem}; rebuilding from the database`, true);
}
