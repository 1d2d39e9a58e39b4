import { DindexError, type ErrorCode } from '@dindex/protocol';

/** Nothing answers on the socket, and auto-start was not asked for. */
export class DaemonNotRunningError extends DindexError {
  constructor(socket: string, cause?: unknown) {
    super('DAEMON_NOT_RUNNING', `no dindex daemon is running on ${socket}; start it with: dindex daemon start`, { socket });
    this.name = 'DaemonNotRunningError';
    this.cause = cause;
  }
}

/** Auto-start spawned a daemon that failed; `details.log` holds the last lines of its log. */
export class DaemonStartError extends DindexError {
  constructor(message: string, details: { code?: string; log: string[]; logFile: string }) {
    super('DAEMON_START_FAILED', message, details);
    this.name = 'DaemonStartError';
  }
}

/** The daemon speaks another protocol version than this client. */
export class ProtocolMismatchError extends DindexError {
  constructor(message: string, details?: unknown) {
    super('PROTOCOL_MISMATCH', message, details);
    this.name = 'ProtocolMismatchError';
  }
}

/** An error the daemon answered with; `code` is from the protocol's registry. */
export class RemoteError extends DindexError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(code, message, details);
    this.name = 'RemoteError';
  }
}

export class RequestTimeoutError extends DindexError {
  constructor(type: string, timeoutMs: number) {
    super('REQUEST_TIMEOUT', `${type} got no answer within ${timeoutMs} ms`, { type, timeout_ms: timeoutMs });
    this.name = 'RequestTimeoutError';
  }
}

export class ConnectionClosedError extends DindexError {
  constructor(message = 'the connection to the daemon closed') {
    super('CONNECTION_CLOSED', message);
    this.name = 'ConnectionClosedError';
  }
}

/** The caller's AbortSignal fired; the daemon was told to cancel the request. */
export class RequestCancelledError extends DindexError {
  constructor(type: string) {
    super('CANCELLED', `${type} was cancelled`);
    this.name = 'RequestCancelledError';
  }
}

/** A daemon of another version is running and busy, so it was not restarted for this client. */
export class DaemonVersionMismatchError extends DindexError {
  constructor(message: string, details: { running: string; wanted: string; pid: number; inflight: number }) {
    super('DAEMON_VERSION_MISMATCH', message, details);
    this.name = 'DaemonVersionMismatchError';
  }
}
