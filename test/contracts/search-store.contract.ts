import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SearchStore } from '../../src/ports/search-store.js';
import { hashOf, searchFixture, variant } from '../evolve/search-fixture.js';

export interface SearchStoreSubject {
  searches: SearchStore;
  /** A second store on the same data with its own connection, as a second Sherpa process would have. */
  openAnother?: () => Promise<SearchStore>;
  close?: () => Promise<void> | void;
}

/** The behaviour every SearchStore must have (embedded SQLite, OpenSearch): issue 13, item 7. */
export function describeSearchStoreContract(name: string, factory: () => Promise<SearchStoreSubject>): void {
  describe(`SearchStore contract: ${name}`, () => {
    let subject: SearchStoreSubject;
    let store: SearchStore;
    beforeEach(async () => {
      subject = await factory();
      store = subject.searches;
    });
    afterEach(async () => subject.close?.());

    it('keeps one live search per paper, and a new one once the last has ended', async () => {
      expect((await store.create(searchFixture())).created).toBe(true);
      const again = await store.create(searchFixture({ id: 's_2' }));
      expect(again).toMatchObject({ created: false, search: { id: 's_1' } });
      expect(await store.get('s_2')).toBeUndefined();
      expect(await store.liveFor('p_1')).toMatchObject({ id: 's_1' });
      expect(await store.move('s_1', { from: 'confirmed', to: 'stopped' })).toMatchObject({ ok: true });
      expect(await store.liveFor('p_1')).toBeUndefined();
      expect((await store.create(searchFixture({ id: 's_2' }))).created).toBe(true);
      expect((await store.listLive()).map((s) => s.id)).toEqual(['s_2']);
      expect((await store.get('s_1'))?.state).toBe('stopped');
    });

    it('answers a repeated create of the live search with that search, not a second one', async () => {
      await store.create(searchFixture());
      expect(await store.create(searchFixture())).toMatchObject({ created: false, search: { id: 's_1' } });
      expect((await store.listLive()).map((s) => s.id)).toEqual(['s_1']);
    });

    it('lists the live searches of every paper, oldest first, as a restarted worker resumes them', async () => {
      await store.create(searchFixture({ id: 's_b', paperId: 'p_b', createdAt: '2026-12-05T09:00:00.000Z' }));
      await store.create(searchFixture({ id: 's_a', paperId: 'p_a', createdAt: '2026-12-05T08:00:00.000Z' }));
      await store.create(searchFixture({ id: 's_c', paperId: 'p_c' }));
      await store.move('s_c', { from: 'confirmed', to: 'capped', patch: { endReason: 'over the cap' } });
      expect((await store.listLive()).map((s) => s.id)).toEqual(['s_a', 's_b']);
      expect(await store.get('s_c')).toMatchObject({
        state: 'capped',
        endReason: 'over the cap',
        version: 2,
      });
    });

    it('moves and updates with a compare-and-set on the version', async () => {
      await store.create(searchFixture());
      const moved = await store.move('s_1', { from: 'confirmed', to: 'proposing', patch: { generation: 1 } });
      expect(moved).toMatchObject({ ok: true, search: { state: 'proposing', version: 2, generation: 1 } });
      expect(await store.update('s_1', { leaderboardTs: '1.2' }, { ifVersion: 1 })).toBeUndefined();
      expect(await store.update('s_1', { leaderboardTs: '1.2' }, { ifVersion: 2 })).toMatchObject({
        version: 3,
        leaderboardTs: '1.2',
      });
      expect(await store.move('s_1', { from: 'confirmed', to: 'proposing' })).toMatchObject({
        ok: false,
        reason: 'conflict',
        search: { state: 'proposing' },
      });
      expect(await store.move('s_1', { from: 'proposing', to: 'running', ifVersion: 2 })).toMatchObject({
        ok: false,
        reason: 'conflict',
        search: { version: 3 },
      });
      expect(await store.move('s_9', { from: 'confirmed', to: 'proposing' })).toEqual({
        ok: false,
        reason: 'not_found',
      });
      expect(await store.update('s_9', { leaderboardTs: '1' }, { ifVersion: 1 })).toBeUndefined();
      expect((await store.get('s_1'))?.leaderboardTs).toBe('1.2');
    });

    it('reads a search stored mid-smoke before the smoke gate and moves it on to running', async () => {
      // The record as the version with separate smoke runs wrote it: state `smoke`, a child's smoke run in
      // flight, no `gate` (issue 13: a child's smoke stage is now the first seconds of its one run).
      const legacy = JSON.parse(
        JSON.stringify(
          searchFixture({
            state: 'smoke',
            generation: 1,
            variants: [
              variant(1, 0, hashOf('b'), undefined, {
                status: 'proposed',
                failureClass: undefined,
                smoke: { runId: 's_1.g1.v0.smoke', dispatchKey: 's_1.g1.v0.smoke.d1', commandId: 'cmd-1' },
              }),
            ],
          }),
        ),
      );
      await store.create(legacy);
      const stored = await store.get('s_1');
      expect(stored).toMatchObject({ state: 'smoke', variants: [{ smoke: { commandId: 'cmd-1' } }] });
      expect(stored?.variants[0]?.gate).toBeUndefined();
      expect(await store.move('s_1', { from: 'smoke', to: 'running', ifVersion: 1 })).toMatchObject({
        ok: true,
        search: { state: 'running', version: 2 },
      });
    });

    it('lets exactly one of many concurrent creates for a paper win, across processes', async () => {
      const other = subject.openAnother ? await subject.openAnother() : store;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? store : other).create(searchFixture({ id: `s_${i}` })),
        ),
      );
      const winners = results.filter((r) => r.created);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!.search.id;
      expect(results.every((r) => r.search.id === winner)).toBe(true);
      expect(await store.liveFor('p_1')).toMatchObject({ id: winner });
      expect((await other.listLive()).map((s) => s.id)).toEqual([winner]);
    });

    it('lets exactly one of many concurrent moves from the same state win', async () => {
      const other = subject.openAnother ? await subject.openAnother() : store;
      await store.create(searchFixture());
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? store : other).move('s_1', {
            from: 'confirmed',
            to: 'proposing',
            patch: { generation: 1, leaderboardTs: `ts-${i}` },
          }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (const result of results.filter((r) => !r.ok)) {
        expect(result).toMatchObject({ reason: 'conflict', search: { state: 'proposing', version: 2 } });
      }
      expect((await store.get('s_1'))?.version).toBe(2);
    });
  });
}
