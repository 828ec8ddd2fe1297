import type { CoreDeps } from '../deps.js';
import { QUEUE_NAMES } from '../ports/work-queue.js';

export interface QueueMoveReport {
  moved: Record<string, number>;
  /** Dead letters stay behind: look at them (and redrive) before migrating, or accept losing them. */
  deadLettersLeft: Record<string, number>;
  /**
   * Waiting jobs of a queue the target lacks (the evolve queue without SQS_EVOLVE_QUEUE_URL): left in DATA_DIR,
   * counted so the operator sees them.
   */
  noTarget: Record<string, number>;
}

/**
 * Waiting jobs from the embedded queues to SQS: received with a long visibility, sent to the FIFO queue (the
 * paper id as its group), then acked. Run with the bot stopped, so nothing is in flight.
 */
export async function moveQueueMessages(
  source: CoreDeps['queues'],
  target: CoreDeps['queues'],
  options: { dryRun: boolean },
): Promise<QueueMoveReport> {
  const report: QueueMoveReport = { moved: {}, deadLettersLeft: {}, noTarget: {} };
  for (const name of QUEUE_NAMES) {
    // Every job body carries its paper id (the FIFO group); the queues differ only in the rest of it.
    const from = source[name] as CoreDeps['queues']['judge'] | undefined;
    const to = target[name] as CoreDeps['queues']['judge'] | undefined;
    if (!from) continue;
    const depth = await from.depth();
    if (!to) {
      report.noTarget[name] = depth.visible;
      continue;
    }
    report.deadLettersLeft[name] = depth.deadLettered;
    if (options.dryRun) {
      report.moved[name] = depth.visible;
      continue;
    }
    let moved = 0;
    for (;;) {
      const batch = await from.receive({ max: 10, visibilitySeconds: 600 });
      if (batch.length === 0) break;
      for (const message of batch) {
        await to.send(message.body, { dedupeId: `migrated:${message.id}`, groupId: message.body.paperId });
        await from.ack(message);
        moved += 1;
      }
    }
    report.moved[name] = moved;
  }
  return report;
}
