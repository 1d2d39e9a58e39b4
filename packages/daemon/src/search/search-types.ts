import type { SearchFilter, SearchMode, SearchResult } from '@dindex/protocol';

export interface SearchQuery {
  query: string;
  k: number;
  mode?: SearchMode | undefined;
  filter?: SearchFilter | undefined;
  exact?: boolean | undefined;
  explain?: boolean | undefined;
}

export interface SearchAnswer {
  mode: SearchMode;
  prunedTerms: string[];
  warnings: string[];
  results: SearchResult[];
}
