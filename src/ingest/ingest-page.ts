import type { ScrapedPaper } from '../domain/paper.js';
import { SliceClock } from '../event-loop-slices.js';
import type { JudgeJob } from '../domain/jobs.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { IngestEntry, IngestOutcome, PaperStore, QueueMessage } from '../ports/paper-store.js';
import type { SourcePage } from '../ports/paper-source.js';
import type { WorkQueue } from '../ports/work-queue.js';
import { normalisePaper } from './normalise-paper.js';
import { keepRawPage, type RawRecord, rawPageOf } from './raw-page.js';
import { EMPTY_TALLY, type Tally } from '../domain/scrape-tally.js';

export interface IngestDeps {
  papers: PaperStore;
  blobs: BlobStore;
  queues: { judge: WorkQueue<JudgeJob> };
  logger: Logger;
}

export interface IngestRun {
  /** When this scrape began (ISO), in the store's clock. */
  startedAt: string;
  /**
   * This page is the one a crashed attempt was working on: some of its papers may be stored but not yet queued.
   * Unjudged papers on it are offered to the queue again; the dedupe id (the paper id) makes a repeat a no-op.
   */
  recovering?: boolean;
  /** Keep only papers this accepts (`--query` on a venue). */
  filter?: (paper: ScrapedPaper) => boolean;
  /** Stop after this many papers (`--limit`); undefined for no limit. */
  remaining?: number;
}

interface Accepted {
  paper: ScrapedPaper;
  raw: unknown;
  rawJson: string | Uint8Array | undefined;
  fingerprint: string | undefined;
}

/**
 * Ingest one page: normalise, keep the page's raw records as one object (`raw-page.ts`), store with dedup
 * (source id, arXiv id, title key: `PaperStore.ingest`), and queue each new paper for judging exactly once.
 */
export async function ingestPage(deps: IngestDeps, page: SourcePage, run: IngestRun): Promise<Tally> {
  const unchanged = page.unchanged ?? 0;
  const tally: Tally = { ...EMPTY_TALLY, fetched: page.records.length + page.skipped.length + unchanged };
  for (const skipped of page.skipped) logSkipped(deps.logger, skipped.sourceId, skipped.reason);
  tally.skipped += page.skipped.length;
  // Stored exactly so before (the source left them out unread): nothing to write, nothing to queue.
  tally.duplicates += unchanged;

  const accepted: Accepted[] = [];
  // Normalised in slices (`SliceClock`): the event loop that does it also acks Slack.
  const clock = new SliceClock();
  for (const record of page.records) {
    if (run.remaining !== undefined && accepted.length >= run.remaining) break;
    if (clock.spent()) await clock.next();
    const result = normalisePaper(record.paper);
    if (!result.ok) {
      logSkipped(deps.logger, record.sourceId, result.reason);
      tally.skipped++;
      continue;
    }
    if (run.filter && !run.filter(result.paper)) {
      tally.unmatched++;
      continue;
    }
    accepted.push({
      paper: result.paper,
      raw: record.raw,
      rawJson: record.rawJson,
      fingerprint: record.fingerprint,
    });
  }

  // The raw page is kept before the store write, so every rawKey a stored paper names exists; a crash in between
  // leaves at most an object no paper names yet, which the recovering pass over the page names again.
  const rawKeys = await keepRawRecords(deps.blobs, accepted);
  // Embedded, the page's papers and their judge jobs are one commit (the store's outbox onto the queue);
  // otherwise one store write and then one queue write per page where the adapters offer bulk forms.
  const outbox = deps.papers.outboxFor?.(deps.queues.judge);
  const outcomes =
    outbox && accepted.length > 0
      ? await outbox.ingestMany(entriesOf(accepted, rawKeys), (outcome) =>
          decide(outcome, run).queue ? judgeMessage(outcome.paper.id) : undefined,
        )
      : await storeAll(deps.papers, accepted, rawKeys);
  const toQueue: string[] = [];
  for (const outcome of outcomes) {
    const decision = decide(outcome, run);
    if (decision.queue && !outbox) toQueue.push(outcome.paper.id);
    if (decision.isNew) tally.new++;
    else tally.duplicates++;
  }
  await queueAll(deps.queues.judge, toQueue);
  return tally;
}

/** One raw page per source on the page (a listing has one source; the grouping only keeps keys honest). */
async function keepRawRecords(blobs: BlobStore, items: readonly Accepted[]): Promise<string[]> {
  const bySource = new Map<ScrapedPaper['source'], RawRecord[]>();
  for (const { paper, raw, rawJson } of items) {
    const group = bySource.get(paper.source) ?? [];
    group.push({ sourceId: paper.sourceId, raw, rawJson });
    bySource.set(paper.source, group);
  }
  const keys = new Map<ScrapedPaper['source'], string>();
  for (const [source, records] of bySource) {
    const page = await rawPageOf(source, records);
    await keepRawPage(blobs, page);
    keys.set(source, page.key);
  }
  return items.map(({ paper }) => keys.get(paper.source) as string);
}

async function storeAll(
  papers: PaperStore,
  items: readonly Accepted[],
  rawKeys: readonly string[],
): Promise<IngestOutcome[]> {
  if (items.length === 0) return [];
  const entries = entriesOf(items, rawKeys);
  if (papers.ingestMany) return papers.ingestMany(entries);
  const outcomes: IngestOutcome[] = [];
  for (const entry of entries) outcomes.push(await papers.ingest(entry.paper, entry.rawKey));
  return outcomes;
}

function entriesOf(items: readonly Accepted[], rawKeys: readonly string[]): IngestEntry[] {
  return items.map(({ paper, fingerprint }, index) => ({
    paper,
    rawKey: rawKeys[index] as string,
    ...(fingerprint === undefined ? {} : { fingerprint }),
  }));
}

/** The judge message of a paper: its id is the dedupe id, so offering it twice queues it once. */
export function judgeMessage(paperId: string): QueueMessage<JudgeJob> {
  return { body: { paperId }, options: { dedupeId: paperId, groupId: paperId } };
}

async function queueAll(queue: WorkQueue<JudgeJob>, paperIds: string[]): Promise<void> {
  if (paperIds.length === 0) return;
  const messages = paperIds.map(judgeMessage);
  if (queue.sendMany) {
    await queue.sendMany(messages);
    return;
  }
  for (const message of messages) await queue.send(message.body, message.options);
}

/**
 * A paper the store created is new and goes to the judge. A paper seen before (judged, rejected or waiting) is
 * never queued again, with one exception: on the page a crashed attempt was working on, a paper still waiting
 * for its first judgement is offered again, because the crash may have come between the store and the queue.
 */
function decide(outcome: IngestOutcome, run: IngestRun): { isNew: boolean; queue: boolean } {
  if (outcome.kind === 'created') return { isNew: true, queue: true };
  if (!run.recovering || outcome.paper.state !== 'scraped') return { isNew: false, queue: false };
  return { isNew: outcome.paper.createdAt >= run.startedAt, queue: true };
}

function logSkipped(logger: Logger, sourceId: string | undefined, reason: string): void {
  logger.warn({ sourceId, reason }, 'skipped a record the source returned malformed');
}
