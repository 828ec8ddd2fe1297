import { holderIsDeadHere } from '../ingest/lease-holder.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import { INSTANCE_LEASE_PREFIX, isHolderOfRun, runHolder } from './instance-keys.js';

/**
 * A run's instance lease whose holder is provably dead, handed to `holder` (a holder of this process) by a
 * compare-and-set on the lease's version: of two bots taking over, exactly one wins, and the instance is never
 * free in between for another run to take. "Provably dead" is the scrape lease's rule (`lease-holder.ts`): the
 * holder was written on this machine (same host name, boot and PID namespace) by a process whose pid is gone. A
 * holder on another machine, in an old format, or whose pid is alive is left alone: its lease lapses on its own.
 * Returns the instance taken over, or undefined.
 */
export async function takeOverDeadHolder(
  coordination: CoordinationStore,
  runId: string,
  processHolder: string,
  ttlSeconds: number,
): Promise<{ instanceId: string; holder: string; dead: string } | undefined> {
  const prefix = runHolder(runId, '');
  const leases = await coordination.list<{ holder?: unknown }>(INSTANCE_LEASE_PREFIX);
  for (const lease of leases) {
    const dead = lease.value.holder;
    if (typeof dead !== 'string' || !isHolderOfRun(dead, runId)) continue;
    // `run:<run id>:<host>:<pid>:<machine>:<id>`; a holder of the older `run:<run id>:<nonce>` form is no process.
    if (!holderIsDeadHere(dead.slice(prefix.length))) continue;
    const holder = runHolder(runId, processHolder);
    const taken = await coordination.put(lease.key, { holder }, { ifVersion: lease.version, ttlSeconds });
    if (taken) return { instanceId: lease.key.slice(INSTANCE_LEASE_PREFIX.length), holder, dead };
  }
  return undefined;
}
