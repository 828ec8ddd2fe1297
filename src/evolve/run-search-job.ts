import type { CoreDeps } from '../deps.js';
import type { EvolveJob } from '../domain/jobs.js';
import { isSearchOver } from '../domain/evolve-search-state.js';
import type { Sleep } from '../ports/sleep.js';
import type { InstancePool } from '../runs/instance-pool.js';
import { driveSearch } from './drive-search.js';
import { evolveDriveDeps, type EvolveTimings } from './evolve-services.js';
import type { SearchThreadDeps } from './search-thread-deps.js';
import { showSearchInThread } from './search-thread.js';

export interface SearchJobOptions {
  /** The pool paper runs lease from: variants share its room. Absent with no compute. */
  pool: InstancePool | undefined;
  sleep: Sleep;
  timings: EvolveTimings;
}

/** What is missing for a search to run, in words an operator can act on; undefined when nothing is. */
function missingFor(deps: CoreDeps): string | undefined {
  if (!deps.compute) return 'there is no compute to run variants on (COMPUTE=none): set COMPUTE=ec2 or local';
  if (!deps.llm) return 'there is no model to propose variants (Bedrock is not configured)';
  return undefined;
}

/**
 * One evolve job: drive the search to its end (issue 13, items 5–7) and show it in the paper's thread as it
 * goes. Safe to run again on the same search (a redelivery after a crash): `driveSearch` resumes from the
 * record and the thread updates what it already posted. A search that cannot run here (no compute, no model)
 * ends as stopped with the reason in the thread rather than waiting unseen on the queue.
 */
export async function runSearchJob(deps: CoreDeps, job: EvolveJob, options: SearchJobOptions): Promise<void> {
  const searches = deps.searches;
  const log = deps.logger.child({ paperId: job.paperId, searchId: job.searchId });
  const threadDeps: SearchThreadDeps = {
    searches,
    papers: deps.papers,
    chat: deps.chat,
    coordination: deps.coordination,
    blobs: deps.blobs,
    ledger: deps.ledger,
    clock: deps.clock,
    logger: log,
  };
  const search = await searches.get(job.searchId);
  if (!search) {
    log.warn('an evolve job for a search that does not exist; dropping it');
    return;
  }
  const missing = missingFor(deps);
  if (missing && !isSearchOver(search.state)) {
    await searches.move(search.id, {
      from: search.state,
      to: 'stopped',
      patch: { endReason: `Sherpa cannot run it: ${missing}` },
    });
    log.error({ missing }, 'evolve search stopped: a capability is missing');
  } else if (!missing && deps.compute && deps.llm && options.pool) {
    const drive = evolveDriveDeps({ ...deps, searches, compute: deps.compute, llm: deps.llm }, search, {
      pool: options.pool,
      sleep: options.sleep,
      timings: options.timings,
      onChange: (changed) => showSearchInThread(threadDeps, changed.id),
    });
    log.info({ state: search.state, generation: search.generation }, 'driving evolve search');
    await driveSearch(drive, search.id);
  }
  // Once more at the end: a bot that died between the last move and its message left the summary unposted.
  await showSearchInThread(threadDeps, search.id);
}
