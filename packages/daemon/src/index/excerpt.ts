/** Characters of text an excerpt shows. */
const EXCERPT_LENGTH = 200;

/**
 * A snippet for a chunk found without matching terms (by its vector): the passage with the
 * most query words, those words marked as **word**, cut at word boundaries.
 */
export function excerpt(text: string, query: string): string {
  const words = new Set((query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []));
  const tokens = [...text.matchAll(/[\p{L}\p{N}]+/gu)];
  let bestStart = 0;
  let bestHits = 0;
  // The window starting at each matching word; the one covering most matches wins.
  const hits = tokens.filter((t) => words.has(t[0].toLowerCase())).map((t) => t.index);
  for (let i = 0; i < hits.length; i++) {
    let count = 0;
    for (let j = i; j < hits.length && hits[j]! < hits[i]! + EXCERPT_LENGTH; j++) count++;
    if (count > bestHits) {
      bestHits = count;
      bestStart = hits[i]!;
    }
  }
  let start = Math.max(0, bestStart - 40);
  if (start > 0) start = text.indexOf(' ', start) + 1 || start;
  let end = Math.min(text.length, start + EXCERPT_LENGTH);
  if (end < text.length) end = text.lastIndexOf(' ', end) > start ? text.lastIndexOf(' ', end) : end;
  const passage = text.slice(start, end).replace(/[\p{L}\p{N}]+/gu, (word) => (words.has(word.toLowerCase()) ? `**${word}**` : word));
  return `${start > 0 ? '…' : ''}${passage.replace(/\s+/g, ' ').trim()}${end < text.length ? '…' : ''}`;
}
