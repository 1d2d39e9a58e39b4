import type { ResultExplanation } from '@dindex/protocol';

export type Signal = 'bm25' | 'vector';

/** One signal's ranking: chunk ids best first, each with that signal's own score. */
export interface RankedList {
  signal: Signal;
  weight: number;
  hits: Array<{ chunkId: number; score: number }>;
}

export interface FusedHit {
  chunkId: number;
  fused: number;
  explain: ResultExplanation;
}

/**
 * Reciprocal Rank Fusion: a chunk scores Σ weight / (k + rank) over the lists it is in (rank
 * 1 = best). Only ranks count, so signals with incomparable scores (BM25, cosine) combine
 * without calibration. Ties go to the chunk with the better single rank, then the lower id.
 */
export function fuseByReciprocalRank(lists: RankedList[], k: number): FusedHit[] {
  const fused = new Map<number, FusedHit & { best: number }>();
  for (const list of lists) {
    list.hits.forEach((hit, i) => {
      const rank = i + 1;
      let entry = fused.get(hit.chunkId);
      if (!entry) {
        entry = { chunkId: hit.chunkId, fused: 0, best: rank, explain: { bm25: null, vector: null, fused: null } };
        fused.set(hit.chunkId, entry);
      }
      entry.fused += list.weight / (k + rank);
      entry.best = Math.min(entry.best, rank);
      entry.explain[list.signal] = { rank, score: hit.score };
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.fused - a.fused || a.best - b.best || a.chunkId - b.chunkId)
    .map(({ chunkId, fused: score, explain }) => ({ chunkId, fused: score, explain: { ...explain, fused: Math.round(score * 1e9) / 1e9 } }));
}
