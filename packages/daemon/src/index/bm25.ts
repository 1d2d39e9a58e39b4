/** FTS5's bm25(): its constants and its IDF, for the two places that score as it does. */
export const K1 = 1.2;
export const B = 0.75;
/** The IDF FTS5 gives a term in more than half the rows. */
export const MIN_IDF = 1e-6;

/** FTS5's IDF of a term matching `matches` of `rows` rows (unfloored: below MIN_IDF, FTS5 uses MIN_IDF). */
export function rawIdf(rows: number, matches: number): number {
  return Math.log((rows - matches + 0.5) / (matches + 0.5));
}
