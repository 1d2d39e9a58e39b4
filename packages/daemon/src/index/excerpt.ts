import { STOPWORDS } from '../stopwords.js';

/** Characters of text an excerpt shows. */
const EXCERPT_LENGTH = 200;
/** Context kept before the first marked word. */
const LEAD = 40;

const WORD = /[\p{L}\p{N}]+/gu;

/** The words of a query worth marking in a passage: three characters or more, lower case. */
export function queryWords(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])];
}

/**
 * A snippet: the passage of `text` with the most words matching `marks`, those words marked as
 * **word** (function words never), cut at word boundaries. A mark is a stem ("retriev") or a word: a word matches when
 * it starts with the mark less its last letter, so "happi" marks "happy", "retriev" "retrieval".
 */
export function excerpt(text: string, marks: string[]): string {
  const prefixes = marks.map((m) => m.toLowerCase()).filter((m) => !STOPWORDS.has(m)).map((m) => (m.length > 3 ? m.slice(0, -1) : m));
  const matches = (word: string): boolean => {
    const lower = word.toLowerCase();
    return !STOPWORDS.has(lower) && prefixes.some((p) => lower.startsWith(p));
  };
  const hits = [...text.matchAll(WORD)].filter((t) => matches(t[0])).map((t) => t.index);
  let bestStart = 0;
  let bestHits = 0;
  for (let i = 0, j = 0; i < hits.length; i++) {
    while (j < hits.length && hits[j]! < hits[i]! + EXCERPT_LENGTH - LEAD) j++;
    if (j - i > bestHits) {
      bestHits = j - i;
      bestStart = hits[i]!;
    }
  }
  let start = Math.max(0, bestStart - LEAD);
  if (start > 0) start = text.indexOf(' ', start) + 1 || start;
  let end = Math.min(text.length, start + EXCERPT_LENGTH);
  if (end < text.length && text.lastIndexOf(' ', end) > start) end = text.lastIndexOf(' ', end);
  const passage = text.slice(start, end).replace(WORD, (word) => (matches(word) ? `**${word}**` : word));
  return `${start > 0 ? '…' : ''}${passage.replace(/\s+/g, ' ').trim()}${end < text.length ? '…' : ''}`;
}
