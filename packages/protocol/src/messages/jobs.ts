import { z } from 'zod';
import { defineRequest } from './define.js';

/**
 * Jobs: long work the daemon runs in the background (imports, scrapes) while it keeps
 * answering. Records persist in the index database, so a job's state and its last checkpoint
 * survive a restart; `jobs.watch` is a subscription that pushes `job.progress` events.
 */
export const JobIdSchema = z.string().min(1).max(64);

export const ImportFormatSchema = z.enum(['jsonl', 'wikipedia', 'warc']);

export const ImportSpecSchema = z.strictObject({
  kind: z.literal('import'),
  format: ImportFormatSchema,
  /** Absolute path of a file the daemon reads (see the import path rule in the design). */
  path: z.string().min(1).max(4096).refine((p) => p.startsWith('/'), 'an absolute path'),
});

const HttpUrlSchema = z.url({ protocol: /^https?$/, error: 'an http or https URL' }).max(4096);

export const ScrapeSpecSchema = z.strictObject({
  kind: z.literal('scrape'),
  urls: z.array(HttpUrlSchema).min(1).max(1000),
  /** Links followed from the start pages: 0 fetches only the start pages. */
  depth: z.number().int().min(0).max(100).default(2),
  max_pages: z.number().int().min(1).max(100_000).default(100),
  /** Follow only links to the hosts of the start pages. */
  same_host: z.boolean().default(true),
});

export const JobSpecSchema = z.discriminatedUnion('kind', [ImportSpecSchema, ScrapeSpecSchema]);

export const JobStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);

export const JobProgressSchema = z.object({
  /** What the job is doing: reading, fetching, committing, ... */
  stage: z.string(),
  /** How far it is, in `unit`s (bytes of the file read, pages fetched), against `total` when known. */
  current: z.number(),
  total: z.number().nullable(),
  unit: z.enum(['bytes', 'pages']),
  /** `unit`s per second over the last seconds, and the seconds left at that rate. */
  rate: z.number(),
  eta_s: z.number().nullable(),
});

export const JobCountsSchema = z.object({
  /** Committed: documents indexed, their chunks, and documents skipped as unchanged. */
  documents: z.number().int(),
  chunks: z.number().int(),
  skipped: z.number().int(),
  /** Records the source held but that were not indexed (bad lines, redirects, other namespaces, refused pages). */
  rejected: z.number().int(),
  /** Problems met along the way (a bad line, a failed fetch); the latest are in `problems`. */
  errors: z.number().int(),
});

export const JobProblemSchema = z.object({ where: z.string(), message: z.string() });

export const JobInfoSchema = z.object({
  id: JobIdSchema,
  spec: JobSpecSchema,
  state: JobStateSchema,
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  progress: JobProgressSchema,
  counts: JobCountsSchema,
  /** The last few problems (at most 20), oldest first. */
  problems: z.array(JobProblemSchema),
  /** Why the job failed or was interrupted. */
  error: z.string().nullable(),
  /** The job can be continued from its last checkpoint with `jobs.resume`. */
  resumable: z.boolean(),
});

/** How many jobs are in each state. */
export const JobStateCountsSchema = z.object(
  Object.fromEntries(JobStateSchema.options.map((state) => [state, z.number().int()])) as Record<z.infer<typeof JobStateSchema>, z.ZodNumber>,
);

export const jobsStart = defineRequest('jobs.start', {
  request: z.strictObject({ spec: JobSpecSchema }),
  response: JobInfoSchema,
});

export const jobsList = defineRequest('jobs.list', {
  request: z.strictObject({ state: JobStateSchema.optional(), limit: z.number().int().min(1).max(10_000).default(100) }),
  /** Newest first. */
  response: z.object({ jobs: z.array(JobInfoSchema) }),
});

const JobRef = z.strictObject({ id: JobIdSchema });

export const jobsGet = defineRequest('jobs.get', { request: JobRef, response: JobInfoSchema });

/** Stops a queued or running job; what it committed stays. Answers once it has stopped. */
export const jobsCancel = defineRequest('jobs.cancel', { request: JobRef, response: JobInfoSchema });

/** Continues an interrupted, failed or cancelled job from its last committed checkpoint. */
export const jobsResume = defineRequest('jobs.resume', { request: JobRef, response: JobInfoSchema });

/**
 * A subscription: `job.progress` events (body: the job) are pushed while the job runs; the
 * request answers with the job once it has finished. Cancel the request to stop watching.
 */
export const jobsWatch = defineRequest('jobs.watch', { request: JobRef, response: JobInfoSchema });

export const JOB_PROGRESS_EVENT = 'job.progress';

export type JobSpec = z.infer<typeof JobSpecSchema>;
export type ScrapeSpec = z.infer<typeof ScrapeSpecSchema>;
export type JobState = z.infer<typeof JobStateSchema>;
export type JobInfo = z.infer<typeof JobInfoSchema>;
export type JobProgress = z.infer<typeof JobProgressSchema>;
export type JobProblem = z.infer<typeof JobProblemSchema>;
export type ImportFormat = z.infer<typeof ImportFormatSchema>;
