/**
 * Splits a document into chunks for indexing: heading-aware (Markdown ATX headings start a new
 * section, and each chunk carries its heading path), sentence-aware (chunks end at sentence
 * boundaries found by Intl.Segmenter, which also knows CJK punctuation), bounded in size, and
 * overlapping by whole sentences. Text with no usable boundaries (one enormous line, a run of
 * CJK without punctuation) is cut at word boundaries, and as a last resort at `size` characters.
 */
export interface ChunkOptions {
  /** Largest chunk, in characters. */
  size: number;
  /** Characters of trailing context repeated at the start of the next chunk of a section. */
  overlap: number;
}

export interface Chunk {
  text: string;
  /** Heading path, e.g. "Install › From source"; null before the first heading. */
  heading: string | null;
}

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });
/** Scripts whose sentences need ICU's rules (no spaces after full stops, other punctuation). */
const NEEDS_ICU = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\u3000-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]/;
/**
 * A sentence end in space-separated scripts: terminal punctuation, closing quotes, then space.
 * Matched forwards, from the punctuation: as a lookbehind before the space it was tried at every
 * position and took a fifth of the chunker thread's time.
 */
const SENTENCE_END = /[.!?…]["'”’)\]]*\s/g;
const words = new Intl.Segmenter(undefined, { granularity: 'word' });

export function chunkText(text: string, options: ChunkOptions): Chunk[] {
  const size = Math.max(1, options.size);
  const overlap = Math.min(Math.max(0, options.overlap), Math.floor(size / 2));
  const chunks: Chunk[] = [];
  for (const section of sections(text)) {
    const pieces = section.paragraphs.flatMap((paragraph) => splitToFit(paragraph, size));
    packPieces(pieces, size, overlap, (chunk) => chunks.push({ text: chunk, heading: section.heading }));
  }
  return chunks;
}

interface Section {
  heading: string | null;
  paragraphs: string[];
}

/** Sections by Markdown heading, each with its paragraphs (blank-line separated). */
function sections(text: string): Section[] {
  const out: Section[] = [];
  const path: string[] = [];
  let current: Section = { heading: null, paragraphs: [] };
  let paragraph: string[] = [];
  let inFence = false;
  const endParagraph = (): void => {
    const joined = paragraph.join('\n').trim();
    if (joined) current.paragraphs.push(joined);
    paragraph = [];
  };
  // A string separator splits several times faster than /\r?\n/; the '\r's, when there are any, go first.
  for (const line of (text.includes('\r') ? text.replace(/\r\n/g, '\n') : text).split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : HEADING.exec(line);
    if (heading) {
      endParagraph();
      if (current.paragraphs.length) out.push(current);
      const level = heading[1]!.length;
      path.length = level - 1;
      path[level - 1] = heading[2]!.trim();
      current = { heading: path.filter(Boolean).join(' › '), paragraphs: [] };
    } else if (line.trim() === '' && !inFence) {
      endParagraph();
    } else {
      paragraph.push(line);
    }
  }
  endParagraph();
  if (current.paragraphs.length) out.push(current);
  return out;
}

/**
 * Sentences of a paragraph, each no longer than `size`. Text in space-separated scripts is
 * split by a regular expression, several times faster than Intl.Segmenter, which is kept for
 * CJK, Thai and the like.
 */
function splitToFit(paragraph: string, size: number): string[] {
  const out: string[] = [];
  const parts = NEEDS_ICU.test(paragraph)
    ? Array.from(sentences.segment(paragraph), (s) => s.segment)
    : splitAtSentenceEnds(paragraph);
  for (const part of parts) {
    const sentence = part.trim();
    if (!sentence) continue;
    if (sentence.length <= size) out.push(sentence);
    else out.push(...splitLong(sentence, size));
  }
  return out;
}

/** Cut after each sentence end's first space; the rest of the space goes with the trim. */
function splitAtSentenceEnds(paragraph: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const end of paragraph.matchAll(SENTENCE_END)) {
    const cut = end.index + end[0].length;
    parts.push(paragraph.slice(start, cut));
    start = cut;
  }
  parts.push(paragraph.slice(start));
  return parts;
}

/** Cuts an over-long sentence at word boundaries, or hard at `size` inside a giant word. */
function splitLong(sentence: string, size: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const { segment } of words.segment(sentence)) {
    if (current.length + segment.length <= size) {
      current += segment;
      continue;
    }
    if (current.trim()) out.push(current.trim());
    current = '';
    let rest = segment;
    while (rest.length > size) {
      const cut = safeCut(rest, size);
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** A cut position that does not split a surrogate pair. */
function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

/** Greedy packing of pieces into chunks, repeating trailing pieces as overlap. */
function packPieces(pieces: string[], size: number, overlap: number, emit: (chunk: string) => void): void {
  let current: string[] = [];
  let length = 0; // of current.join(' ')
  let fresh = 0; // pieces in `current` not yet emitted in an earlier chunk
  const lengthWith = (piece: string): number => (current.length ? length + 1 + piece.length : piece.length);
  const flush = (): void => {
    if (fresh === 0) return;
    emit(current.join(' '));
    let start = current.length;
    let carried = 0;
    while (start > 0) {
      const next = carried + current[start - 1]!.length + (carried ? 1 : 0);
      if (next > overlap) break;
      carried = next;
      start--;
    }
    current = current.slice(start);
    length = carried;
    fresh = 0;
  };
  for (const piece of pieces) {
    if (lengthWith(piece) > size) flush();
    // Carried overlap that would leave no room for the next piece is dropped.
    while (current.length > 0 && lengthWith(piece) > size) {
      length -= current.shift()!.length + (current.length ? 1 : 0);
    }
    length = lengthWith(piece);
    current.push(piece);
    fresh++;
  }
  flush();
}
