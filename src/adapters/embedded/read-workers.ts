import type { Worker } from 'node:worker_threads';
import { TransientError } from '../../errors.js';
import { yieldToEventLoop } from '../../event-loop-slices.js';
import type { ReadReply, ReadRequest, ReadResults } from './read-worker-protocol.js';
import { storageError } from './sqlite-database.js';
import { startDatabaseWorker } from './worker-entry.js';

export interface ReadWorkersOptions {
  /** Absolute path of `sherpa.db` (a file: an in-memory database cannot be shared with a thread). */
  location: string;
  /** Worker threads at most, started on demand. */
  size: number;
  busyTimeoutMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The parts of a long list received so far. */
  parts?: unknown[];
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** What a read takes besides its name; the pool numbers each request. */
export type ReadArgs<Op extends ReadRequest['op']> = Omit<Extract<ReadRequest, { op: Op }>, 'id' | 'op'>;

/**
 * Heavy reads on worker threads, each with its own read-only connection, so that no query holds the event loop
 * that acks Slack (issue 14). A worker starts on the first read (start-up compiles its modules: not worth paying
 * in processes that never read), is referenced only while it has work (an idle one never keeps the process
 * alive), and is terminated by `close()`, which graceful shutdown reaches through the paper store.
 */
export class ReadWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ReadWorkersOptions) {}

  read<Op extends Exclude<ReadRequest['op'], 'more'>>(op: Op, args: ReadArgs<Op>): Promise<ReadResults[Op]> {
    return this.request({ ...args, op }) as Promise<ReadResults[Op]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const slot of slots) this.fail(slot, new TransientError('The paper store closed during a read'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private request(request: Omit<ReadRequest, 'id'>): Promise<unknown> {
    if (this.closed) return Promise.reject(new TransientError('The paper store is closed'));
    const slot = this.leastBusy();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...request, id });
    });
  }

  /** An idle worker, else a new one while under `size`, else the one with the shortest queue. */
  private leastBusy(): Slot {
    const idle = this.slots.find((slot) => slot.pending.size === 0);
    if (idle) return idle;
    if (this.slots.length < this.options.size) return this.start();
    return this.slots.reduce((best, slot) => (slot.pending.size < best.pending.size ? slot : best));
  }

  private start(): Slot {
    const worker = startDatabaseWorker('read-worker', this.options);
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: ReadReply) => this.settle(slot, reply));
    // A worker that fails (a bad file, a crash) takes its reads with it; the next read starts a new one.
    worker.on('error', (error) => this.retire(slot, error));
    worker.on('exit', (code) => this.retire(slot, new Error(`read worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private settle(slot: Slot, reply: ReadReply): void {
    const pending = slot.pending.get(reply.id);
    if (!pending) return;
    if (reply.ok && reply.more) {
      // A part of a long list: keep it, and ask for the next one on a later turn of the event loop (a turn taken
      // like any other slice of bulk work), so that envelopes read off the socket meanwhile are handled (and
      // acked) between parts.
      (pending.parts ??= []).push(...(reply.value as unknown[]));
      void yieldToEventLoop().then(() => {
        if (slot.pending.has(reply.id)) slot.worker.postMessage({ op: 'more', id: reply.id });
      });
      return;
    }
    slot.pending.delete(reply.id);
    if (slot.pending.size === 0) slot.worker.unref();
    if (reply.ok) {
      const parts = pending.parts;
      pending.resolve(parts ? [...parts, ...(reply.value as unknown[])] : reply.value);
    } else {
      const error = Object.assign(new Error(reply.error.message), { code: reply.error.code });
      pending.reject(storageError(this.options.location, error));
    }
  }

  private retire(slot: Slot, cause: unknown): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    this.fail(slot, new TransientError('A database read worker stopped; try again', { cause }));
  }

  private fail(slot: Slot, error: Error): void {
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
  }
}
