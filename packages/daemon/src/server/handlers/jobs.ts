import { JOB_PROGRESS_EVENT } from '@dindex/protocol';
import type { Handler } from '../dispatcher.js';

/** `jobs.*`: background imports and scrapes. */
export const handleJobsStart: Handler<'jobs.start'> = (body, { daemon }) => daemon.index.jobs.start(body.spec);

export const handleJobsList: Handler<'jobs.list'> = (body, { daemon }) => ({ jobs: daemon.index.jobs.list(body.state, body.limit) });

export const handleJobsGet: Handler<'jobs.get'> = (body, { daemon }) => daemon.index.jobs.get(body.id);

export const handleJobsCancel: Handler<'jobs.cancel'> = (body, { daemon }) => daemon.index.jobs.cancel(body.id);

export const handleJobsResume: Handler<'jobs.resume'> = (body, { daemon }) => daemon.index.jobs.resume(body.id);

/** A subscription: progress events while the job runs, answered with the job once it has ended. */
export const handleJobsWatch: Handler<'jobs.watch'> = (body, { daemon, emit, signal }) =>
  daemon.index.jobs.watch(body.id, (info) => emit(JOB_PROGRESS_EVENT, info), signal);
