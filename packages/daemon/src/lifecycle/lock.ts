import crypto from 'node:crypto';
import fs from 'node:fs';
import { DindexError } from '@dindex/protocol';

/**
 * One daemon per data directory. The lock file names its owner (pid, start time and the
 * kernel's process start tick, so a recycled pid is not mistaken for the owner). It is
 * created by link(2) from a complete temporary file, so nobody ever reads a half-written lock.
 */
export interface LockOwner {
  pid: number;
  started_at: string;
  proc_start: string | null;
  socket: string;
}

export interface HeldLock {
  readonly owner: LockOwner;
  release(): void;
}

export function acquireLock(lockPath: string, socket: string): HeldLock {
  const owner: LockOwner = {
    pid: process.pid,
    started_at: new Date().toISOString(),
    proc_start: procStat(process.pid)?.startTick ?? null,
    socket,
  };
  const tmp = `${lockPath}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, JSON.stringify(owner) + '\n', { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(tmp, lockPath);
        return { owner, release: () => releaseLock(lockPath, owner) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readLock(lockPath);
      if (holder && isAlive(holder)) throw alreadyRunning(holder);
      clearStaleLock(lockPath);
    }
    throw new DindexError('STARTUP_FAILED', `could not take the lock ${lockPath}: it keeps changing hands`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export function readLock(lockPath: string): LockOwner | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' ? (parsed as LockOwner) : null;
  } catch {
    return null;
  }
}

/**
 * True when the lock's process still runs and is the same process that wrote it. A daemon
 * killed after its parent went away may linger as a zombie until reaped: that is not alive.
 */
export function isAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(owner.pid);
  if (stat?.state === 'Z') return false;
  return owner.proc_start === null || stat === null || stat.startTick === owner.proc_start;
}

/**
 * Moves the stale lock aside under a private name (atomic, so of two racing cleaners only one
 * gets it); if what it moved turns out to be a live lock just taken by a racer, puts it back.
 */
function clearStaleLock(lockPath: string): void {
  const aside = `${lockPath}.stale.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readLock(aside);
  if (moved && isAlive(moved)) {
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      // Someone else holds the lock now; either way it is not ours to take.
    }
    fs.rmSync(aside, { force: true });
    throw alreadyRunning(moved);
  }
  fs.rmSync(aside, { force: true });
}

function releaseLock(lockPath: string, owner: LockOwner): void {
  const current = readLock(lockPath);
  if (current && current.pid === owner.pid && current.started_at === owner.started_at) {
    fs.rmSync(lockPath, { force: true });
  }
}

function alreadyRunning(holder: LockOwner): DindexError {
  return new DindexError('ALREADY_RUNNING',
    `a dindex daemon (pid ${holder.pid}) already runs for this data directory on ${holder.socket}`,
    { pid: holder.pid, socket: holder.socket });
}

/** From /proc/PID/stat: the state (field 3) and start time in ticks since boot (field 22); null off Linux. */
function procStat(pid: number): { state: string; startTick: string | null } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTick: fields[19] ?? null };
  } catch {
    return null;
  }
}
