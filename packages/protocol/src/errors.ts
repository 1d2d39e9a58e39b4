/**
 * The one registry of error codes. Every error that crosses the wire or reaches a user carries
 * one of these codes. Codes are stable: never rename or reuse a retired one. `docs/errors.md`
 * lists the same codes, and a test keeps the two in step.
 */
export const ERROR_CODES = {
  // Framing: the connection is closed after these.
  FRAME_TOO_LARGE: { area: 'framing', summary: 'A frame declared a length over max_frame_bytes.' },
  BAD_FRAME: { area: 'framing', summary: 'A frame payload was not valid MessagePack or not a valid envelope.' },
  FRAME_TIMEOUT: { area: 'framing', summary: 'A partial frame stalled for longer than frame_timeout_ms.' },

  // Requests: the connection stays open.
  UNKNOWN_REQUEST: { area: 'request', summary: 'The request type is not one the daemon knows.' },
  INVALID_REQUEST: { area: 'request', summary: 'The request body failed its schema; details holds the issues.' },
  HANDSHAKE_REQUIRED: { area: 'request', summary: 'A request other than hello arrived before the hello handshake.' },
  PROTOCOL_MISMATCH: { area: 'request', summary: 'Client and daemon speak incompatible protocol versions.' },
  DUPLICATE_REQUEST_ID: { area: 'request', summary: 'A request reused the id of a request still in flight on the connection.' },
  CANCELLED: { area: 'request', summary: 'The request was cancelled by the client before it finished.' },
  SHUTTING_DOWN: { area: 'request', summary: 'The daemon is stopping and accepts no new requests.' },
  TOO_MANY_CONNECTIONS: { area: 'request', summary: 'The daemon is at max_connections; the connection is closed.' },
  INTERNAL: { area: 'request', summary: 'An unexpected daemon fault; the daemon logged it and keeps serving.' },

  // Index and search.
  UNKNOWN_STREAM: { area: 'index', summary: 'index.docs or index.end named a stream that this connection did not open.' },
  MODE_UNAVAILABLE: { area: 'index', summary: 'The search mode needs an embedder, and none is configured.' },
  EMBEDDER_UNAVAILABLE: { area: 'index', summary: 'The embedder failed or cannot be reached; BM25 search and indexing go on, vectors wait.' },
  EMBEDDING_MISMATCH: { area: 'index', summary: 'The index holds vectors of another model or dimension; run `dindex reembed`.' },
  VECTOR_INDEX_BUILDING: { area: 'index', summary: 'The vector index is being rebuilt from the database; retry when status shows it ready.' },
  DISK_FULL: { area: 'index', summary: 'The disk holding the index is full; nothing committed is lost, and writes succeed again once there is space.' },
  READ_ONLY: { area: 'index', summary: 'The index directory or its filesystem is read-only; searches go on, writes fail until it is writable.' },
  STORAGE_ERROR: { area: 'index', summary: 'The database refused a write (disk full, read-only, damaged); nothing committed is lost.' },

  // Jobs.
  JOB_NOT_FOUND: { area: 'jobs', summary: 'No job has the given id; `dindex jobs list` shows the known ones.' },
  JOB_STATE: { area: 'jobs', summary: 'The job is not in a state that allows this (resume a finished job, cancel a stopped one).' },
  PATH_NOT_ALLOWED: { area: 'jobs', summary: 'The daemon may not read this path for the caller: the socket is shared and the path is outside import_roots.' },
  FILE_UNREADABLE: { area: 'jobs', summary: 'The file named by an import job does not exist or cannot be read by the daemon.' },
  ADDRESS_NOT_ALLOWED: { area: 'jobs', summary: 'A scrape URL resolves to a loopback, private or link-local address, and scrape.allow_private_addresses is off.' },

  // Daemon start-up and lifecycle.
  ALREADY_RUNNING: { area: 'lifecycle', summary: 'Another daemon already owns this data directory.' },
  CONFIG_INVALID: { area: 'lifecycle', summary: 'The configuration file, environment or flags hold an invalid value.' },
  SOCKET_PATH_TOO_LONG: { area: 'lifecycle', summary: 'The socket path exceeds the operating system limit for Unix sockets.' },
  SOCKET_DIR_INSECURE: { area: 'lifecycle', summary: 'The socket directory is not owned by the user or is open to others.' },
  SOCKET_IN_USE: { area: 'lifecycle', summary: 'Another live daemon answers on the socket path.' },
  STARTUP_FAILED: { area: 'lifecycle', summary: 'The daemon could not start; the message carries its own reason.' },

  // Client side: raised by the SDK, never sent by the daemon.
  DAEMON_NOT_RUNNING: { area: 'client', summary: 'Nothing answers on the socket and auto-start is off.' },
  DAEMON_START_FAILED: { area: 'client', summary: 'Auto-start spawned the daemon but it did not become ready.' },
  CONNECTION_CLOSED: { area: 'client', summary: 'The connection closed while the request was in flight.' },
  REQUEST_TIMEOUT: { area: 'client', summary: 'No answer arrived within the request timeout.' },
  DAEMON_VERSION_MISMATCH: { area: 'client', summary: 'A busy daemon of another version is running; restart it when idle (`dindex daemon restart`).' },
} as const satisfies Record<string, { area: ErrorArea; summary: string }>;

export type ErrorArea = 'framing' | 'request' | 'index' | 'jobs' | 'lifecycle' | 'client';
export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** An error with a registry code; what the daemon sends and what the client rethrows. */
export class DindexError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'DindexError';
    this.code = code;
    this.details = details;
  }
}
