import { describe, expect, it } from 'vitest';
import { fuseByReciprocalRank } from '../src/search/rank-fusion.js';

const list = (signal: 'bm25' | 'vector', ids: number[], weight = 1) => ({
  signal, weight, hits: ids.map((chunkId, i) => ({ chunkId, score: 100 - i })),
});

describe('Reciprocal Rank Fusion', () => {
  it('adds weight / (k + rank) over the lists a chunk is in', () => {
    // bm25: 1, 2, 3; vector: 3, 1, 4 (k = 60)
    const fused = fuseByReciprocalRank([list('bm25', [1, 2, 3]), list('vector', [3, 1, 4])], 60);
    const score = Object.fromEntries(fused.map((f) => [f.chunkId, f.fused]));
    expect(score[1]).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(score[3]).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(score[2]).toBeCloseTo(1 / 62, 12);
    expect(score[4]).toBeCloseTo(1 / 63, 12);
    // 1 (1/61 + 1/62) beats 3 (1/61 + 1/63); each beats the chunks in one list only.
    expect(fused.map((f) => f.chunkId)).toEqual([1, 3, 2, 4]);
  });

  it('explains each result with its rank and score in every signal', () => {
    const [first] = fuseByReciprocalRank([list('bm25', [7, 8]), list('vector', [8, 7])], 60);
    expect(first!.explain).toEqual({ bm25: { rank: 1, score: 100 }, vector: { rank: 2, score: 99 }, fused: expect.closeTo(first!.fused, 9) });
    const [only] = fuseByReciprocalRank([list('bm25', []), list('vector', [5])], 60);
    expect(only!.explain).toEqual({ bm25: null, vector: { rank: 1, score: 100 }, fused: expect.closeTo(1 / 61, 9) });
  });

  it('weights the signals', () => {
    // With the vector signal at a tenth, bm25's order wins even against a vector first place.
    const fused = fuseByReciprocalRank([list('bm25', [1, 2]), list('vector', [2, 1], 0.1)], 60);
    expect(fused.map((f) => f.chunkId)).toEqual([1, 2]);
    expect(fused[0]!.fused).toBeCloseTo(1 / 61 + 0.1 / 62, 12);
    // A weight of 0 leaves a signal out of the order entirely.
    expect(fuseByReciprocalRank([list('bm25', [1, 2]), list('vector', [2, 1], 0)], 60).map((f) => f.chunkId)).toEqual([1, 2]);
  });

  it('with k = 0, rank 1 counts 1 and rank 2 a half; ties go to the better single rank, then the lower id', () => {
    const fused = fuseByReciprocalRank([list('bm25', [10, 20]), list('vector', [30, 10])], 0);
    expect(fused[0]).toMatchObject({ chunkId: 10, fused: 1.5 });
    // 30 is first in vector (1), 20 only second in bm25 (1/2).
    expect(fused.map((f) => f.chunkId)).toEqual([10, 30, 20]);
    const tie = fuseByReciprocalRank([list('bm25', [2, 1]), list('vector', [1, 2])], 60);
    expect(tie.map((f) => f.chunkId)).toEqual([1, 2]);
  });
});
