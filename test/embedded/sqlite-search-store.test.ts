import { afterEach, describe, expect, it } from 'vitest';
import { openSherpaDatabase, SqliteSearchStore } from '../../src/adapters/embedded/index.js';
import { searchFixture } from '../evolve/search-fixture.js';

const database = openSherpaDatabase({ dataDir: ':memory:' });
const store = new SqliteSearchStore(database);
afterEach(() => database.connection.exec('DELETE FROM evolve_searches'));

describe('SqliteSearchStore', () => {
  it('keeps one live search per paper, and a new one once the last has ended', async () => {
    expect((await store.create(searchFixture())).created).toBe(true);
    const again = await store.create(searchFixture({ id: 's_2' }));
    expect(again).toMatchObject({ created: false, search: { id: 's_1' } });
    expect(await store.liveFor('p_1')).toMatchObject({ id: 's_1' });
    expect(await store.move('s_1', { from: 'confirmed', to: 'stopped' })).toMatchObject({ ok: true });
    expect(await store.liveFor('p_1')).toBeUndefined();
    expect((await store.create(searchFixture({ id: 's_2' }))).created).toBe(true);
    expect((await store.listLive()).map((s) => s.id)).toEqual(['s_2']);
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
    expect(await store.move('s_9', { from: 'confirmed', to: 'proposing' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect((await store.get('s_1'))?.leaderboardTs).toBe('1.2');
  });
});
