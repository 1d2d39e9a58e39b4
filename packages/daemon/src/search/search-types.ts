import type { ParsedRequestBody, SearchMode, SearchResult } from '@dindex/protocol';

/** A validated `search` request. */
export type SearchQuery = ParsedRequestBody<'search'>;

export interface SearchAnswer {
  mode: SearchMode;
  lateTerms: string[];
  warnings: string[];
  results: SearchResult[];
}
