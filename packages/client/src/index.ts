export { DaemonClient, type ConnectOptions, type HelloInfo } from './client.js';
export { IndexWriter, type IndexWriterOptions, type IndexSummary } from './index-writer.js';
export { ClientConnection, type RequestOptions } from './connection.js';
export { startDaemon, type StartDaemonOptions, type StartOutcome } from './autostart.js';
export { resolveClientPaths, type ClientPaths } from './paths.js';
export { isProcessRunning } from './process.js';
export * from './errors.js';
export { DindexError, ERROR_CODES, type ErrorCode, type Document, type SearchResult,
  type JobInfo, type JobSpec, type JobState, type ImportFormat } from '@dindex/protocol';
