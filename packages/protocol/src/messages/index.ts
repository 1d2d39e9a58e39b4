import type { z } from 'zod';
import { hello } from './hello.js';
import { indexBegin, indexDocs, indexEnd } from './index-stream.js';
import { search } from './search.js';
import { commit, deleteDocuments, stats } from './writes.js';
import { ping } from './ping.js';
import { shutdown } from './shutdown.js';
import { doctor, metrics, status } from './status.js';
import { reembed } from './vectors.js';
import { jobsCancel, jobsGet, jobsList, jobsResume, jobsStart, jobsWatch } from './jobs.js';

export { defineRequest, type RequestDefinition } from './define.js';
export { DaemonStateSchema, IntegrityCheckSchema } from './status.js';
export * from './document.js';
export { IndexSummarySchema, StreamIdSchema } from './index-stream.js';
export {
  SearchModeSchema, SearchFilterSchema, SearchResultSchema, ResultExplanationSchema,
  type SearchResult, type SearchFilter, type SearchMode, type ResultExplanation,
} from './search.js';
export * from './vectors.js';
export * from './jobs.js';

/** Every request type of the protocol, by name. The daemon dispatches through this map. */
export const REQUESTS = {
  [hello.type]: hello,
  [ping.type]: ping,
  [status.type]: status,
  [shutdown.type]: shutdown,
  [indexBegin.type]: indexBegin,
  [indexDocs.type]: indexDocs,
  [indexEnd.type]: indexEnd,
  [deleteDocuments.type]: deleteDocuments,
  [commit.type]: commit,
  [stats.type]: stats,
  [search.type]: search,
  [reembed.type]: reembed,
  [metrics.type]: metrics,
  [doctor.type]: doctor,
  [jobsStart.type]: jobsStart,
  [jobsList.type]: jobsList,
  [jobsGet.type]: jobsGet,
  [jobsCancel.type]: jobsCancel,
  [jobsResume.type]: jobsResume,
  [jobsWatch.type]: jobsWatch,
} as const;

export type Requests = typeof REQUESTS;
export type RequestType = keyof Requests;
export type RequestBody<T extends RequestType> = z.input<Requests[T]['request']>;
export type ParsedRequestBody<T extends RequestType> = z.output<Requests[T]['request']>;
export type ResponseBody<T extends RequestType> = z.output<Requests[T]['response']>;

export function isRequestType(type: string): type is RequestType {
  return Object.hasOwn(REQUESTS, type);
}
