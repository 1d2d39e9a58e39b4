import { execFileSync } from 'node:child_process';

/**
 * Pins a process (all its threads) to one CPU. Round-trip latency on a local socket depends
 * mostly on whether the two processes share a core (a direct switch, ~20 µs here) or not (a
 * cross-core wake-up, ~90 µs here), so a fair comparison controls the placement.
 * Returns false where taskset is unavailable.
 */
export function pinToCpu(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
