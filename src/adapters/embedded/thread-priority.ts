import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Acks come first: on a small shared machine a worker thread competes with the main one for a core, so it runs
 * at a lower priority (nice 10). Linux lets one thread have its own nice value (setpriority on its thread id);
 * elsewhere it keeps the process's priority.
 */
export function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 10);
  } catch {
    // Not Linux, or not permitted: same priority as the main thread, which only costs some ack latency.
  }
}
