import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** A holder id unique to one lease holder: `host:pid:random`. */
export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * True when `holder` names a process on this host that has exited, so its lease can be taken at
 * once instead of after expiry (a daemon restarted after kill -9 leads again immediately).
 * Holders on other hosts, or in this very process, are never judged dead.
 */
export function holderIsDeadLocally(holder: string): boolean {
  const parts = holder.split(':');
  const host = parts.slice(0, -2).join(':');
  const pid = Number(parts[parts.length - 2]);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
