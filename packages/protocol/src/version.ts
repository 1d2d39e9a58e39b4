/** Wire protocol version. Bump only for changes an older peer cannot ignore. */
export const PROTOCOL_VERSION = 1;

/** Default limits shared by both ends of a connection. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
export const DEFAULT_FRAME_TIMEOUT_MS = 10_000;
