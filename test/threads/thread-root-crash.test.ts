import { describe, expect, it } from 'vitest';
import type { PostMessage } from '../../src/ports/chat.js';
import { postThreads } from '../../jobs/post-threads.js';
import { THREAD_ROOT_EVENT } from '../../src/threads/thread-deps.js';
import type { EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { useRestartRig } from '../support/restart-rig.js';

/**
 * Issue 10, found item 13: a `kill -9` while threads are being opened. A killed service is simulated by
 * abandoning it mid-call (its promise never settles, so nothing after the kill point runs) and starting a fresh
 * service on the same SQLite file and the same Slack workspace.
 */
const MAX = 50;
const PAPERS = 60;
const KILL_AT = 10;

const rig = useRestartRig();
const startService = () => rig.start({ MAX_THREADS_PER_DAY: String(MAX) });

/** The service dies at its `KILL_AT`-th root: after Slack stored it (`after`) or before the post left (`before`). */
function killedAtRoot(service: EmbeddedCoreDeps, when: 'before' | 'after'): { killed: Promise<void> } {
  let roots = 0;
  let signalKilled: () => void = () => {};
  const killed = new Promise<void>((resolve) => (signalKilled = resolve));
  const real = service.deps.chat;
  const chat = Object.create(real, {
    post: {
      value: async (args: PostMessage) => {
        roots += 1;
        if (roots === KILL_AT && when === 'before') return dying();
        const posted = await real.post(args);
        return roots === KILL_AT ? dying() : posted;
      },
    },
  });
  function dying(): Promise<never> {
    signalKilled();
    return new Promise<never>(() => {});
  }
  service.deps.chat = chat;
  return { killed };
}

function rootsInChannel(): string[] {
  return rig.slack
    .messages()
    .filter((message) => (message.metadata as { event_type?: string })?.event_type === THREAD_ROOT_EVENT)
    .map((message) => message.ts);
}

async function crashWhileOpeningThreads(when: 'before' | 'after') {
  const first = startService();
  for (let n = 0; n < PAPERS; n += 1) await ingestAccepted(first.deps.papers, n);
  const { killed } = killedAtRoot(first, when);
  void postThreads(first.deps);
  await killed;
  return first;
}

describe('a crash while thread roots are being posted', () => {
  it('adopts the root posted just before the kill and ends the day within the quota', async () => {
    await crashWhileOpeningThreads('after');
    expect(rootsInChannel()).toHaveLength(KILL_AT);

    // Restarted at once: the dead attempt's claim has not expired yet.
    const restarted = startService();
    const report = await postThreads(restarted.deps);
    // Later rounds the same day, after every claim has expired.
    rig.clock.advance(10 * 60_000);
    await postThreads(restarted.deps);
    rig.clock.advance(60 * 60_000);
    await postThreads(restarted.deps);

    const roots = rootsInChannel();
    expect(roots).toHaveLength(MAX);
    expect(report.failed).toEqual([]);
    expect(new Set(roots).size).toBe(MAX);
    const withThreads = (await restarted.deps.papers.listByState(['accepted'])).filter((p) => p.thread);
    expect(withThreads).toHaveLength(MAX);
    // Every root in the channel belongs to exactly one paper, the adopted one included.
    expect(new Set(withThreads.map((paper) => paper.thread?.ts))).toEqual(new Set(roots));
    const day = await restarted.deps.coordination.get<{ paperIds: string[] }>('threads-per-day/2026-11-23');
    expect(day?.value.paperIds).toHaveLength(MAX);
  });

  it('keeps the slot of a root whose post never left, and posts it once the dead claim expires', async () => {
    await crashWhileOpeningThreads('before');
    expect(rootsInChannel()).toHaveLength(KILL_AT - 1);

    const restarted = startService();
    const report = await postThreads(restarted.deps);
    // The dead attempt's paper is still "being opened" and nothing of it is in the channel: it keeps its slot.
    expect(rootsInChannel()).toHaveLength(MAX - 1);
    expect(report.failed).toHaveLength(1);
    rig.clock.advance(10 * 60_000);
    await postThreads(restarted.deps);
    rig.clock.advance(60 * 60_000);
    await postThreads(restarted.deps);

    const roots = rootsInChannel();
    expect(roots).toHaveLength(MAX);
    const withThreads = (await restarted.deps.papers.listByState(['accepted'])).filter((p) => p.thread);
    expect(new Set(withThreads.map((paper) => paper.thread?.ts))).toEqual(new Set(roots));
  });
});
