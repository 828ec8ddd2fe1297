import type { CoreDeps } from '../deps.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import type { EvolveJob } from '../domain/jobs.js';
import { ConfigError } from '../errors.js';

/**
 * Put a confirmed search on the evolve queue, where the worker drives it (issue 13). The dedupe id is the search
 * id: a second confirmation, a retried click or a re-send after a crash is the same message, never a second
 * driver. The paper id is the FIFO group, as for every other job of the paper.
 */
export async function sendEvolveJob(
  deps: { queues: Pick<CoreDeps['queues'], 'evolve'> },
  search: EvolveSearch,
): Promise<void> {
  const queue = deps.queues.evolve;
  if (!queue) {
    throw new ConfigError([
      'SQS_EVOLVE_QUEUE_URL is unset while the other queues are on SQS, so a search has nowhere to wait: update ' +
        'the stack from infra/sherpa.yaml and set SQS_EVOLVE_QUEUE_URL from its EvolveQueueUrl output.',
    ]);
  }
  const job: EvolveJob = { searchId: search.id, paperId: search.paperId };
  await queue.send(job, { dedupeId: search.id, groupId: search.paperId });
}
