import type { JobThreadData } from '../job-messages.js';
import { jsonlSource } from './jsonl.js';
import { scrapeSource } from './scrape.js';
import type { Source } from './source.js';
import { warcSource } from './warc.js';
import { wikipediaSource } from './wikipedia.js';

/** The source a job reads, by its spec. */
export function createSource({ spec, file, scrape }: JobThreadData): Source {
  if (spec.kind === 'scrape') return scrapeSource(spec, scrape);
  const path = file ?? spec.path;
  switch (spec.format) {
    case 'jsonl': return jsonlSource(path);
    case 'wikipedia': return wikipediaSource(path);
    case 'warc': return warcSource(path, scrape.max_body_bytes);
  }
}

export { emptyReport, type Source, type SourceContext, type SourceItem } from './source.js';
