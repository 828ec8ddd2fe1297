import type { JudgeJob } from '../domain/jobs.js';
import { judgeMessage } from '../ingest/ingest-page.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../ports/clock.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { WorkQueue } from '../ports/work-queue.js';

/** Papers stored more recently than this may still have their judge message on its way (same page, same scrape). */
export const UNJUDGED_GRACE_MS = 120_000;
/** Papers offered per pass, so one sweep over a large backlog stays a bounded amount of queue traffic. */
export const UNJUDGED_SWEEP_LIMIT = 500;

/**
 * With SQS (no outbox from the store onto the judge queue), a crash between storing a page of papers and sending
 * their judge jobs leaves papers in `scraped` with no message; a scrape's recovering pass catches them only if
 * that scrape resumes. At judge-worker start and then periodically, each such paper older than the grace period
 * is offered again under the ingest's own dedupe id (`judgeMessage`): the KeyedQueue's sent-key record skips
 * those already sent, SQS drops a repeat within its window, and the processed-key record drops one beyond it.
 * Embedded, ingest commits papers and jobs together and the queue drops a repeat, so the sweep is a no-op there.
 * Returns how many messages were actually sent.
 */
export async function requeueUnjudged(deps: {
  papers: PaperStore;
  queue: WorkQueue<JudgeJob>;
  clock: Clock;
  logger: Logger;
}): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - UNJUDGED_GRACE_MS).toISOString();
  // Newest first (the store's order); the limit bounds a pass, and a later pass sees what is left after judging.
  const papers = await deps.papers.listByState(['scraped'], { limit: UNJUDGED_SWEEP_LIMIT * 2 });
  let offered = 0;
  let sent = 0;
  for (const paper of papers) {
    if (paper.updatedAt > cutoff) continue;
    if (offered >= UNJUDGED_SWEEP_LIMIT) break;
    offered += 1;
    const { body, options } = judgeMessage(paper.id);
    const result = await deps.queue.send(body, options);
    if (result.duplicate) continue;
    sent += 1;
    deps.logger.warn({ paperId: paper.id }, 'sent a judge job again that had not reached the queue');
  }
  return sent;
}
