import { DindexError } from '@dindex/client';

/** Exit codes of the CLI contract. */
export const EXIT = { ok: 0, error: 1, usage: 2, notRunning: 3 } as const;

/** A failure the CLI reports as one line on stderr with a given exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.error) {
    super(message);
    this.name = 'CliError';
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof DindexError && err.code === 'DAEMON_NOT_RUNNING') return EXIT.notRunning;
  if (err instanceof DindexError && (err.code === 'INVALID_REQUEST' || err.code === 'CONFIG_INVALID')) return EXIT.usage;
  return EXIT.error;
}

/** One line that says what went wrong; a start-up failure adds the daemon's last log lines. */
export function describeError(err: unknown): string {
  if (err instanceof DindexError) {
    const details = err.details as { log?: string[]; code?: string } | undefined;
    // For a failed start, the daemon's own code says more than DAEMON_START_FAILED.
    const lines = [`dindex: ${err.message} [${details?.code ?? err.code}]`];
    const log = details?.log;
    if (err.code === 'DAEMON_START_FAILED' && !details?.code && log?.length) lines.push('last lines of the daemon log:', ...log.map((l) => `  ${l}`));
    return lines.join('\n');
  }
  return `dindex: ${(err as Error)?.message ?? String(err)}`;
}
