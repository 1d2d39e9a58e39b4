import { STOPWORDS } from '../stopwords.js';
import { WORD, type IndexTokenizer } from './index-tokenizer.js';

/** Characters of text an excerpt shows. */
const EXCERPT_LENGTH = 200;
/** Context kept before the first marked word. */
const LEAD = 40;

/** Whether a snippet marks a word. */
export type WordMarker = (word: string) => boolean;

/**
 * Marks the words the index files under one of `terms` (indexed forms such as "retriev", which
 * "retrieval" and "retrieving" are filed under), function words never. Each distinct word is
 * tokenized once: a search's ten snippets repeat most words, and tokenizing every one made
 * snippets a third of a search's garbage.
 */
export function termMarker(tokenizer: IndexTokenizer, terms: string[]): WordMarker {
  const wanted = new Set(terms);
  const marks = new Map<string, boolean>();
  return (word) => {
    let mark = marks.get(word);
    if (mark === undefined) {
      mark = !STOPWORDS.has(word.toLowerCase()) && tokenizer.terms(word).some((term) => wanted.has(term));
      marks.set(word, mark);
    }
    return mark;
  };
}

/**
 * A snippet: the passage of `text` with the most marked words, those marked as **word**, cut at
 * word boundaries.
 */
export function excerpt(text: string, matches: WordMarker): string {
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
