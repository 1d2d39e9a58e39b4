import type { HandlerMap } from '../dispatcher.js';
import { handleHello } from './hello.js';
import { handleIndexBegin, handleIndexDocs, handleIndexEnd } from './index-stream.js';
import { handleSearch } from './search.js';
import { handleCommit, handleDelete, handleStats } from './writes.js';
import { handlePing } from './ping.js';
import { handleShutdown } from './shutdown.js';
import { handleStatus } from './status.js';
import { handleMetrics } from './metrics.js';
import { handleReembed } from './vectors.js';
import { handleDoctor } from './doctor.js';
import {
  handleJobsCancel, handleJobsGet, handleJobsList, handleJobsResume, handleJobsStart, handleJobsWatch,
} from './jobs.js';

export const handlers: HandlerMap = {
  hello: handleHello,
  ping: handlePing,
  status: handleStatus,
  shutdown: handleShutdown,
  'index.begin': handleIndexBegin,
  'index.docs': handleIndexDocs,
  'index.end': handleIndexEnd,
  delete: handleDelete,
  commit: handleCommit,
  stats: handleStats,
  search: handleSearch,
  reembed: handleReembed,
  metrics: handleMetrics,
  doctor: handleDoctor,
  'jobs.start': handleJobsStart,
  'jobs.list': handleJobsList,
  'jobs.get': handleJobsGet,
  'jobs.cancel': handleJobsCancel,
  'jobs.resume': handleJobsResume,
  'jobs.watch': handleJobsWatch,
};
