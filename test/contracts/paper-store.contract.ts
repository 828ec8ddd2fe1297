import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors.js';
import type { PaperStore } from '../../src/ports/paper-store.js';
import { type AdvanceableClock, scraped } from './contract-support.js';
import { describePaperSearchContract } from './paper-store-search.contract.js';
import { describePaperTransitionsContract } from './paper-store-transitions.contract.js';

export interface PaperStoreSubject {
  store: PaperStore;
  clock: AdvanceableClock;
  /** A second, independent client on the same data (another process, another connection), if possible. */
  openAnother?: () => Promise<PaperStore>;
  close?: () => Promise<void>;
}

export type PaperStoreFactory = () => Promise<PaperStoreSubject>;

/** The behaviour every PaperStore must have (embedded SQLite, OpenSearch). */
export function describePaperStoreContract(name: string, factory: PaperStoreFactory): void {
  describe(`PaperStore contract: ${name}`, () => {
    let subject: PaperStoreSubject;
    let store: PaperStore;
    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.store.close();
      await subject.close?.();
    });

    describe('ingest and dedup', () => {
      it('creates a paper in state scraped with version 1 and its source keys', async () => {
        const outcome = await store.ingest(
          scraped({ sourceId: '2501.00001', arxivId: '2501.00001' }),
          'raw/a.json',
        );
        expect(outcome.kind).toBe('created');
        const paper = outcome.paper;
        expect(paper).toMatchObject({ state: 'scraped', version: 1, rawKeys: ['raw/a.json'] });
        expect(paper.sourceKeys).toContain('arxiv:2501.00001');
        expect(await store.get(paper.id)).toEqual(paper);
        expect(await store.findBySourceKey('arxiv:2501.00001')).toEqual(paper);
        expect(await store.findBySourceKey('arxiv:2501.00001v3')).toEqual(paper);
        expect(await store.findBySourceKey(paper.id)).toEqual(paper);
        expect(await store.get('p_doesnotexist')).toBeUndefined();
      });

      it('is idempotent on the source key', async () => {
        const first = await store.ingest(scraped({ sourceId: '2501.00002' }));
        const again = await store.ingest(scraped({ sourceId: '2501.00002' }));
        expect(again).toMatchObject({ kind: 'unchanged', matchedOn: 'sourceKey' });
        expect(again.paper.id).toBe(first.paper.id);
        expect(again.paper.version).toBe(1);
      });

      it('merges a conference paper and its arXiv preprint by arXiv id, keeping both links', async () => {
        const preprint = await store.ingest(
          scraped({
            sourceId: '2501.00003',
            arxivId: '2501.00003',
            pdfUrl: 'https://arxiv.org/pdf/2501.00003',
          }),
        );
        const conference = await store.ingest(
          scraped({
            source: 'openreview',
            sourceId: 'OrNote12345',
            openreviewId: 'OrNote12345',
            arxivId: '2501.00003',
            title: 'A rather different camera-ready title',
            venue: 'ICLR',
            year: 2026,
            presentation: 'poster',
            forumUrl: 'https://openreview.net/forum?id=OrNote12345',
          }),
        );
        expect(conference).toMatchObject({ kind: 'merged', matchedOn: 'arxivId' });
        const merged = conference.paper;
        expect(merged.id).toBe(preprint.paper.id);
        expect(merged).toMatchObject({
          venue: 'ICLR',
          year: 2026,
          presentation: 'poster',
          arxivId: '2501.00003',
          openreviewId: 'OrNote12345',
          forumUrl: 'https://openreview.net/forum?id=OrNote12345',
          pdfUrl: 'https://arxiv.org/pdf/2501.00003',
        });
        expect(merged.sourceKeys).toEqual(
          expect.arrayContaining(['arxiv:2501.00003', 'openreview:OrNote12345']),
        );
        expect(await store.findBySourceKey('openreview:OrNote12345')).toMatchObject({ id: merged.id });
      });

      it('merges on the normalised title when no identifier matches', async () => {
        const first = await store.ingest(
          scraped({ sourceId: '2501.00004', title: 'Attention Is All You Need!' }),
        );
        const second = await store.ingest(
          scraped({
            source: 'mlsys',
            sourceId: 'hash123',
            title: 'attention is all you need',
            venue: 'MLSys',
          }),
        );
        expect(second).toMatchObject({ kind: 'merged', matchedOn: 'titleKey' });
        expect(second.paper.id).toBe(first.paper.id);
        expect(await store.findBySourceKey('mlsys:hash123')).toMatchObject({ id: first.paper.id });
      });

      it('does not merge two papers on a short generic title', async () => {
        const a = await store.ingest(scraped({ sourceId: '2501.00005', title: 'Introduction' }));
        const b = await store.ingest(scraped({ source: 'mlsys', sourceId: 'h5', title: 'Introduction' }));
        expect(b.kind).toBe('created');
        expect(b.paper.id).not.toBe(a.paper.id);
      });

      it('never resets the state of a known paper', async () => {
        const { paper } = await store.ingest(scraped({ sourceId: '2501.00006' }));
        await store.transition({ paperId: paper.id, from: 'scraped', to: 'accepted', actor: 'system:judge' });
        const again = await store.ingest(
          scraped({ sourceId: '2501.00006', doi: '10.1000/XYZ' }),
          'raw/2.json',
        );
        expect(again.kind).toBe('merged');
        expect(again.paper).toMatchObject({ state: 'accepted', doi: '10.1000/XYZ' });
        expect(again.paper.rawKeys).toEqual(['raw/2.json']);
        expect(await store.findBySourceKey('doi:10.1000/xyz')).toMatchObject({ id: paper.id });
      });
    });

    describePaperTransitionsContract(() => subject);

    describe('updates and listings', () => {
      it('patches non-state fields with an optional version check', async () => {
        const { paper } = await store.ingest(scraped({ sourceId: '2501.00020' }));
        const thread = { channel: 'C0123456789', ts: '1700000000.000100' };
        const updated = await store.update(paper.id, { thread }, { ifVersion: 1 });
        expect(updated).toMatchObject({ thread, version: 2, state: 'scraped' });
        expect(await store.update(paper.id, { lastNote: 'x' }, { ifVersion: 1 })).toBeUndefined();
        expect(await store.get(paper.id)).toMatchObject({ thread, version: 2 });
        await expect(store.update('p_000000000000', { lastNote: 'x' })).rejects.toBeInstanceOf(NotFoundError);
      });

      it('lists by state, counts by state and counts new papers by source', async () => {
        const since = subject.clock.now().toISOString();
        const a = await store.ingest(scraped({ sourceId: '2501.00021' }));
        await store.ingest(scraped({ sourceId: '2501.00022' }));
        await store.ingest(
          scraped({ source: 'mlsys', sourceId: 'm1', title: 'Systems for serving large models well' }),
        );
        subject.clock.advance(1000);
        await store.transition({
          paperId: a.paper.id,
          from: 'scraped',
          to: 'accepted',
          actor: 'system:judge',
        });
        expect((await store.listByState(['accepted'])).map((p) => p.id)).toEqual([a.paper.id]);
        expect(await store.listByState(['scraped', 'accepted'], { limit: 2 })).toHaveLength(2);
        const later = subject.clock.now().toISOString();
        expect(await store.listByState(['scraped'], { updatedSince: later })).toEqual([]);
        expect(await store.countByState()).toEqual({ scraped: 2, accepted: 1 });
        expect(await store.countCreatedSince(since)).toEqual({ arxiv: 2, mlsys: 1 });
        expect(await store.countCreatedSince(later)).toEqual({});
      });
    });

    describe('thread candidates', () => {
      /** An accepted paper with this relevance (novelty 5, feasible), optionally with a thread already. */
      async function accepted(sourceId: string, relevance: number, thread?: { channel: string; ts: string }) {
        const { paper } = await store.ingest(
          scraped({ sourceId, title: `Candidate paper number ${sourceId}` }),
        );
        subject.clock.advance(1000);
        const verdict = {
          decidedBy: 'llm' as const,
          prefilterScore: 4,
          relevance,
          novelty: 5,
          feasibility: { verdict: 'yes' as const, reason: 'fits one chip' },
          rationale: 'why',
          comparedWith: [],
          judgedAt: subject.clock.now().toISOString(),
        };
        await store.transition({
          paperId: paper.id,
          from: 'scraped',
          to: 'accepted',
          actor: 'system:judge',
          patch: { verdict },
        });
        if (thread) await store.update(paper.id, { thread });
        return paper.id;
      }

      it('ranks the accepted papers without a thread, returns the best few and counts them all', async () => {
        const low = await accepted('2502.00001', 3);
        const best = await accepted('2502.00002', 9);
        await accepted('2502.00003', 10, { channel: 'C0SHERPA001', ts: '1700000000.000100' });
        const middle = await accepted('2502.00004', 6);
        await store.ingest(scraped({ sourceId: '2502.00005' }));
        expect(await store.threadCandidates({ limit: 2, scan: 100 })).toMatchObject({
          papers: [{ id: best }, { id: middle }],
          total: 3,
        });
        const all = await store.threadCandidates({ limit: 10, scan: 100 });
        expect(all.papers.map((p) => p.id)).toEqual([best, middle, low]);
        // Whole papers, as `get` returns them.
        expect(all.papers[0]).toEqual(await store.get(best));
        // Only the `scan` accepted papers updated last are ranked.
        expect(await store.threadCandidates({ limit: 10, scan: 2 })).toMatchObject({
          papers: [{ id: middle }],
          total: 1,
        });
      });

      it('lists the papers waiting at a human gate with a thread, last updated first, as the digest shows them', async () => {
        await accepted('2502.00011', 5);
        const threadOf = (n: number) => ({ channel: 'C0SHERPA001', ts: `1700000000.00020${n}` });
        const first = await accepted('2502.00012', 5, threadOf(1));
        const second = await accepted('2502.00013', 5, threadOf(2));
        await store.ingest(scraped({ sourceId: '2502.00014' }));
        const shown = (id: string, sourceId: string, n: number) => ({
          id,
          title: `Candidate paper number ${sourceId}`,
          state: 'accepted',
          thread: threadOf(n),
        });
        expect(await store.waitingWithThread({ scan: 10 })).toEqual([
          shown(second, '2502.00013', 2),
          shown(first, '2502.00012', 1),
        ]);
        // Only the `scan` waiting papers updated last are looked at.
        expect(await store.waitingWithThread({ scan: 1 })).toEqual([shown(second, '2502.00013', 2)]);
      });
    });

    describe('activity since a time', () => {
      it('counts papers scraped and verdicts given per source, and lists the runs finished, since then', async () => {
        const judge = async (
          sourceId: string,
          source: 'arxiv' | 'mlsys',
          to: 'filtered' | 'accepted' | 'judge_rejected',
        ) => {
          const { paper } = await store.ingest(
            scraped({ source, sourceId, title: `Activity paper for the digest ${sourceId}` }),
          );
          const verdict = {
            decidedBy: to === 'filtered' ? ('prefilter' as const) : ('llm' as const),
            prefilterScore: 2,
            rationale: 'why',
            comparedWith: [],
            judgedAt: subject.clock.now().toISOString(),
          };
          await store.transition({
            paperId: paper.id,
            from: 'scraped',
            to,
            actor: 'system:judge',
            patch: { verdict },
          });
          return paper.id;
        };
        await judge('2503.10001', 'arxiv', 'accepted');
        subject.clock.advance(60_000);
        const since = subject.clock.now().toISOString();
        subject.clock.advance(1000);
        const accepted = await judge('2503.10002', 'arxiv', 'accepted');
        await judge('2503.10003', 'arxiv', 'judge_rejected');
        await judge('2503.10004', 'arxiv', 'filtered');
        await judge('m-activity-1', 'mlsys', 'filtered');
        await store.ingest(
          scraped({ source: 'mlsys', sourceId: 'm-activity-2', title: 'Not judged yet at all' }),
        );
        const finishedAt = subject.clock.now().toISOString();
        const run = {
          runId: 'r1',
          codeHash: 'c1',
          status: 'succeeded' as const,
          queuedAt: since,
          finishedAt,
        };
        await store.update(accepted, { runs: [run] });

        const activity = await store.activitySince({ since, limit: 100 });
        expect(activity.sources).toEqual([
          { source: 'arxiv', scraped: 3, judged: 2, accepted: 1, filtered: 1 },
          { source: 'mlsys', scraped: 2, judged: 0, accepted: 0, filtered: 1 },
        ]);
        expect(activity.finishedRuns).toEqual([
          { paper: { id: accepted, title: expect.stringContaining('2503.10002') }, run },
        ]);
        subject.clock.advance(1000);
        expect(await store.activitySince({ since: subject.clock.now().toISOString(), limit: 100 })).toEqual({
          sources: [],
          finishedRuns: [],
        });
      });
    });

    describePaperSearchContract(() => store);
  });
}
