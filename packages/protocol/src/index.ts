export * from './version.js';
export * from './errors.js';
export * from './frame.js';
export * from './stream.js';
export * from './envelope.js';
export * from './messages/index.js';
export * from './paths.js';
