import { execFileSync } from 'node:child_process';

/**
 * Sets the CPUs a process (all its threads) may run on, as a taskset list ("0", "0,1", "0-3").
 * Round-trip latency on a local socket depends mostly on whether the two processes share a core
 * (a direct switch, ~20 µs here) or not (a cross-core wake-up, ~90 µs here), so a fair comparison
 * controls the placement. Returns false where taskset is unavailable.
 */
export function setCpuAffinity(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The CPUs a process may run on, as a taskset list, or null where taskset is unavailable. A case
 * that pins the benchmark's own process restores this afterwards: the cases after it, and every
 * daemon they start (children inherit the affinity), would otherwise run on one core.
 */
export function cpuAffinity(pid: number): string | null {
  try {
    const output = execFileSync('taskset', ['-cp', String(pid)], { encoding: 'utf8' });
    return /:\s*(\S+)\s*$/.exec(output)?.[1] ?? null;
  } catch {
    return null;
  }
}
