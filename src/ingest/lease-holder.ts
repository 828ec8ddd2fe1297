import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a scrape lease: `<host name>:<pid>:<machine>:<random id>`. The host name and pid let a later Sherpa
 * on the same machine see that the holder's process is gone and take over at once instead of waiting for the
 * lease to expire (issue 11, item 7). `machine` is a short hash of the kernel's boot id and this process's PID
 * namespace: a pid means the same process only on the same boot and in the same namespace (two containers share
 * a host name pattern and a kernel, not a PID namespace).
 */
export interface LeaseHolder {
  host: string;
  pid: number;
  /** Absent on holders written before this format, and where /proc is not readable: never taken over early. */
  machine: string | undefined;
}

let cachedMachine: string | undefined | null = null;

/** This machine's boot and PID namespace, or undefined where /proc does not tell (then nothing is taken over). */
export function machineKey(): string | undefined {
  if (cachedMachine !== null) return cachedMachine;
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const pidNamespace = readlinkSync('/proc/self/ns/pid');
    cachedMachine = createHash('sha256').update(`${bootId}|${pidNamespace}`).digest('hex').slice(0, 16);
  } catch {
    cachedMachine = undefined;
  }
  return cachedMachine;
}

/** A fresh holder id for this process. Host names hold no `:` (RFC 1123), so the fields split cleanly. */
export function newLeaseHolder(): string {
  return `${hostname()}:${process.pid}:${machineKey() ?? '-'}:${randomUUID()}`;
}

export function parseLeaseHolder(holder: string): LeaseHolder | undefined {
  const [host, pid, machine, id] = holder.split(':');
  const number = Number(pid);
  if (!host || !Number.isInteger(number) || number <= 0) return undefined;
  // The older `<host>:<pid>:<uuid>` form has no machine field: its third part is the id.
  return { host, pid: number, machine: id !== undefined && machine !== '-' ? machine : undefined };
}

/** Whether a process with this pid exists here: signal 0 checks without signalling; EPERM means it exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True only when the holder is known to be dead: recorded on this very machine (same host name, boot and PID
 * namespace) by another process whose pid no longer exists. Anything uncertain (another host, an old holder
 * format, this process's own pid) is treated as alive, and the lease is left to expire.
 */
export function holderIsDeadHere(holder: string, exists: (pid: number) => boolean = processExists): boolean {
  const parsed = parseLeaseHolder(holder);
  const here = machineKey();
  if (!parsed?.machine || !here) return false;
  if (parsed.host !== hostname() || parsed.machine !== here || parsed.pid === process.pid) return false;
  return !exists(parsed.pid);
}
