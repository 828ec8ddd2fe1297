import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../../src/worker-threads.js';

const onLinux = process.platform === 'linux';

describe('worker threads', () => {
  it.skipIf(!onLinux)(
    'start from TypeScript source with their data, and run at a lower priority than the thread that acks',
    async () => {
      const before = getPriority();
      const worker = startWorker(
        'priority-worker',
        new URL('../support/workers/x.ts', import.meta.url).href,
        {
          echo: 'hello',
        },
      );
      const reply = await new Promise<{ threadId: number; nice: number; echo: string }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      expect(reply.echo).toBe('hello');
      expect(reply.threadId).not.toBe(process.pid);
      expect(reply.nice).toBe(10);
      // Only that thread: the process (its main thread) keeps its own.
      expect(getPriority()).toBe(before);
    },
  );
});
