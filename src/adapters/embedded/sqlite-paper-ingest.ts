import {
  dedupKeysOf,
  mergeScraped,
  newPaperFrom,
  normaliseSourceKey,
  primarySourceKey,
  titleKeyUsableForDedup,
} from '../../domain/paper-merge.js';
import { type Paper, type ScrapedPaper, ScrapedPaperSchema } from '../../domain/paper.js';
import { titleKey } from '../../domain/identifiers.js';
import { SLICE_MS, SliceClock, yieldToEventLoop } from '../../event-loop-slices.js';
import type { IngestEntry, IngestOutcome } from '../../ports/paper-store.js';
import { runSql, type SherpaDatabase } from './sqlite-database.js';
import type { PaperStatements } from './sqlite-paper-statements.js';
import { ftsColumnsOf } from './sqlite-paper-rows.js';

type MatchedOn = 'sourceKey' | 'arxivId' | 'titleKey';

/**
 * Ingest transactions on a thread that acks nothing (the scrape thread), in ms. Each commit leaves FTS5 a new
 * segment of the index, and merging hundreds of small ones was most of a scrape's time: a 5,000-paper venue in
 * 4 ms transactions ran at about 5,400 papers per CPU-second, in 16 ms ones 6,200–7,700, in 32 ms ones about
 * 7,500, and no better in 64 ms ones (2026-12-06, `bench/ingest-throughput.ts`). A transaction ends early, after
 * the paper in progress, once the bot's thread is in a store call (`WriteTurns.foregroundWaiting`): its writes wait
 * for a paper, not for the rest of the 32 ms, and they wait with the event loop free (`write-turns.ts`).
 */
export const OFF_LOOP_INGEST_TRANSACTION_MS = 32;

/**
 * Scraped papers into the paper store: dedup on source key, then arXiv id, then title key; a new paper, a merge,
 * or nothing to change; its dedup keys and the record's fingerprint beside it. `SqlitePaperStore` owns the
 * transactions' effects on the rest of the store (merging the index, checkpoints).
 */
export class SqlitePaperIngest {
  /**
   * What a slice's COMMIT has been costing, in ms (a moving average): FTS5 writes the transaction's terms as a
   * new segment and the pages go to the WAL then, several ms on a large store. The papers before it get the rest
   * of the slice, so the whole transaction, commit included, fits in its time (`transactionMs`).
   */
  private commitMs = 0;

  constructor(
    private readonly database: SherpaDatabase,
    private readonly sql: PaperStatements,
    private readonly read: (paperId: string) => Paper | undefined,
    private readonly transactionMs = SLICE_MS,
  ) {}

  /** One paper, inside a transaction the caller holds. */
  one(scraped: ScrapedPaper, now: string, rawKey: string | undefined, fingerprint?: string): IngestOutcome {
    const match = this.findMatch(scraped);
    if (!match) {
      const paper = newPaperFrom(scraped, now, rawKey);
      this.sql.insertPaper(paper, ftsColumnsOf(paper));
      this.addKeys(paper.id, paper.sourceKeys, scraped, fingerprint);
      return { kind: 'created', paper };
    }
    const merged = mergeScraped(match.paper, scraped, now, rawKey);
    if (!merged) {
      this.addKeys(match.paper.id, [], scraped, fingerprint);
      return { kind: 'unchanged', paper: match.paper, matchedOn: match.matchedOn };
    }
    this.sql.replacePaper(merged, match.paper.version, ftsColumnsOf(merged));
    this.addKeys(merged.id, merged.sourceKeys, scraped, fingerprint);
    return { kind: 'merged', paper: merged, matchedOn: match.matchedOn };
  }

  /**
   * A page in IMMEDIATE transactions of one slice each (`SLICE_MS` on the bot's thread, longer where nothing is
   * acked: `OFF_LOOP_INGEST_TRANSACTION_MS`; at least one paper), with a turn of the event loop between them: a
   * 1,000-paper page in one transaction held the loop that acks Slack for about 450 ms on a 500,000-paper store
   * (issue 14, item 3). Each paper, its keys and what `alsoWrite` adds for it (the outbox's message) still commit
   * together, which is all a crash needs: the scrape's checkpoint moves on only after the whole page, and a page
   * done again finds its stored papers as duplicates. `committed` follows each commit.
   */
  async inSlices(
    items: readonly IngestEntry[],
    now: string,
    alsoWrite: (outcome: IngestOutcome) => void,
    committed: () => void,
  ): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = [];
    let bodyEnded = 0;
    const slice = this.database.connection.transaction((from: number): IngestOutcome[] => {
      const clock = new SliceClock(Math.max(this.transactionMs - this.commitMs, this.transactionMs / 4));
      const done: IngestOutcome[] = [];
      // A background writer also ends its transaction as soon as the bot's thread waits for the write lock.
      const yieldToBot = () => this.database.background && this.database.turns.foregroundWaiting();
      for (
        let index = from;
        index < items.length && (index === from || !(clock.spent() || yieldToBot()));
        index++
      ) {
        const item = items[index] as IngestEntry;
        const outcome = this.one(ScrapedPaperSchema.parse(item.paper), now, item.rawKey, item.fingerprint);
        alsoWrite(outcome);
        done.push(outcome);
      }
      bodyEnded = performance.now();
      return done;
    });
    while (outcomes.length < items.length) {
      if (outcomes.length > 0) await yieldToEventLoop();
      // Counted only once committed: a transaction that fails leaves nothing behind, here or in the file.
      outcomes.push(...runSql(this.database, () => slice.immediate(outcomes.length)));
      this.commitMs = 0.75 * this.commitMs + 0.25 * (performance.now() - bodyEnded);
      committed();
    }
    return outcomes;
  }

  /**
   * A paper's dedup keys, and the fingerprint of the record just stored under the record's own key, in the same
   * transaction as the paper: a fingerprint is only ever known for a record whose merge is committed.
   */
  private addKeys(paperId: string, keys: readonly string[], scraped: ScrapedPaper, fingerprint?: string) {
    if (fingerprint === undefined) {
      this.sql.addSourceKeys(paperId, keys);
      return;
    }
    const own = normaliseSourceKey(primarySourceKey(scraped));
    this.sql.addSourceKeys(
      paperId,
      keys.filter((key) => key !== own),
    );
    this.sql.keepFingerprint(paperId, own, fingerprint);
  }

  /** Source key first, then arXiv id, then the title key (only for titles specific enough to trust). */
  private findMatch(scraped: ScrapedPaper): { paper: Paper; matchedOn: MatchedOn } | undefined {
    const found = (paperId: string | undefined, matchedOn: MatchedOn) => {
      const paper = paperId ? this.read(paperId) : undefined;
      return paper ? { paper, matchedOn } : undefined;
    };
    const primary = normaliseSourceKey(primarySourceKey(scraped));
    const otherKeys = dedupKeysOf(scraped).filter((key) => key !== primary && !key.startsWith('arxiv:'));
    const bySourceKey = [primary, ...otherKeys].map((key) => this.sql.paperIdForKey(key)).find(Boolean);
    const arxivId = scraped.arxivId ?? (scraped.source === 'arxiv' ? scraped.sourceId : undefined);
    const key = titleKey(scraped.title);
    return (
      found(bySourceKey, 'sourceKey') ??
      (arxivId ? found(this.sql.paperIdForArxiv(arxivId), 'arxivId') : undefined) ??
      (titleKeyUsableForDedup(key) ? found(this.sql.paperIdForTitleKey(key), 'titleKey') : undefined)
    );
  }
}
