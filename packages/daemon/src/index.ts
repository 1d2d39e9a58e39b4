export { main } from './main.js';
export { Daemon, type DaemonOptions } from './lifecycle/daemon.js';
export { ConfigSchema, type Config } from './config/schema.js';
export { loadConfig, configKeys, envName } from './config/load.js';
export { Searcher, type SearchSettings } from './index/searcher.js';
export { openReader, openWriter, databasePath } from './index/database.js';
export { BuiltinEmbedder } from './embedding/builtin-embedder.js';
export { snapshotPaths } from './vectors/hnsw-snapshot.js';
