import type { ImportRunRow } from '../../store/import-runs';
import { THIS_HOST } from '../../store/store';

/** How often a running import proves it is alive. */
export const HEARTBEAT_MS = 5_000;
/** A run whose holder has not proved it is alive for this long is dead, whatever its host and pid. */
export const HEARTBEAT_EXPIRY_MS = 30_000;

export type Holder =
  | { alive: true; pid: number; host: string; heartbeatAgeMs: number }
  | { alive: false; why: 'no holder' | 'heartbeat expired' | 'process gone' };

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a running import's holder is alive. The heartbeat decides: a pid alone can be reused and
 * a host can be renamed, so neither keeps a run locked once its heartbeat is older than the expiry.
 * On this host a holder whose process is gone is dead at once, without waiting for the expiry.
 */
export function holderOf(run: ImportRunRow, now = Date.now()): Holder {
  if (run.owner_pid === null || run.owner_host === null) return { alive: false, why: 'no holder' };
  const age = run.heartbeat_at === null ? Number.POSITIVE_INFINITY : Math.max(0, now - run.heartbeat_at);
  if (age > HEARTBEAT_EXPIRY_MS) return { alive: false, why: 'heartbeat expired' };
  if (run.owner_host === THIS_HOST && run.owner_pid !== process.pid && !processExists(run.owner_pid))
    return { alive: false, why: 'process gone' };
  return { alive: true, pid: run.owner_pid, host: run.owner_host, heartbeatAgeMs: age };
}

/** Names a live holder for a refusal: who holds the run, and how to get past it. */
export function describeHolder(holder: Extract<Holder, { alive: true }>): string {
  const seconds = Math.round(holder.heartbeatAgeMs / 1000);
  return (
    `process ${holder.pid} on host ${holder.host} (last heartbeat ${seconds} s ago); ` +
    `if that process is gone, the run counts as interrupted once its heartbeat is ${HEARTBEAT_EXPIRY_MS / 1000} s old, ` +
    `and can then be resumed or discarded`
  );
}
