import { round } from './stats.js';

/** Standard ranking metrics over one ranked list of document ids. */
export function ndcgAt(ranked: string[], gains: Map<string, number>, k: number): number {
  const dcg = ranked.slice(0, k).reduce((sum, id, i) => sum + (gains.get(id) ?? 0) / Math.log2(i + 2), 0);
  const ideal = [...gains.values()].sort((a, b) => b - a).slice(0, k).reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

export function averagePrecision(ranked: string[], gains: Map<string, number>): number {
  let hits = 0;
  let sum = 0;
  ranked.forEach((id, i) => {
    if ((gains.get(id) ?? 0) > 0) {
      hits++;
      sum += hits / (i + 1);
    }
  });
  return gains.size === 0 ? 0 : sum / gains.size;
}

export function recallAt(ranked: string[], gains: Map<string, number>, k: number): number {
  const found = ranked.slice(0, k).filter((id) => (gains.get(id) ?? 0) > 0).length;
  return gains.size === 0 ? 0 : found / gains.size;
}

export interface QualityFigures {
  queries: number;
  ndcg_at_10: number;
  map: number;
  recall_at_100: number;
}

/** Means over the judged queries. */
export function evaluate(runs: Array<{ ranked: string[]; gains: Map<string, number> }>): QualityFigures {
  const mean = (f: (r: (typeof runs)[number]) => number): number => round(runs.reduce((s, r) => s + f(r), 0) / Math.max(1, runs.length), 4);
  return {
    queries: runs.length,
    ndcg_at_10: mean((r) => ndcgAt(r.ranked, r.gains, 10)),
    map: mean((r) => averagePrecision(r.ranked, r.gains)),
    recall_at_100: mean((r) => recallAt(r.ranked, r.gains, 100)),
  };
}

/** Document ids in result order, each once (a document may answer with several chunks). */
export function distinctDocuments(docIds: string[], limit = 100): string[] {
  return [...new Set(docIds)].slice(0, limit);
}
