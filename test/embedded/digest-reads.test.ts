import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openSherpaDatabase,
  type SherpaDatabase,
  SqlitePaperStore,
} from '../../src/adapters/embedded/index.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { tempDataDir } from './temp-data-dir.js';

/**
 * Issue 14: the digest's reads rank and count the stored documents as they are, and validate only the papers they
 * return.
 */
let dir: ReturnType<typeof tempDataDir>;
let database: SherpaDatabase;
let store: SqlitePaperStore;

beforeEach(() => {
  dir = tempDataDir();
  database = openSherpaDatabase({ dataDir: dir.path });
  store = new SqlitePaperStore(database, { ownsDatabase: true });
});

afterEach(async () => {
  await store.close();
  dir.remove();
});

/** An accepted paper with this relevance, judged now (inside the window the activity test reads). */
async function accepted(index: number, relevance: number): Promise<string> {
  const paper = await ingestAccepted(store, index, { relevance }, new Date().toISOString());
  return paper.id;
}

describe('thread candidates in the embedded store', () => {
  it('returns validated papers: a stored document without its defaulted lists comes back with them', async () => {
    const best = await accepted(0, 9);
    await accepted(1, 3);
    // A document as an older Sherpa wrote it, before `runs` and `codeVersions` existed.
    database.connection
      .prepare("UPDATE papers SET doc = json_remove(doc, '$.runs', '$.codeVersions') WHERE id = ?")
      .run(best);
    const { papers, total } = await store.threadCandidates({ limit: 1, scan: 10 });
    expect(total).toBe(2);
    expect(papers).toHaveLength(1);
    expect(papers[0]).toMatchObject({ id: best, runs: [], codeVersions: [] });
  });

  it('ranks past a broken document it does not return, and fails on one it would', async () => {
    const best = await accepted(0, 9);
    const low = await accepted(1, 3);
    database.connection.prepare("UPDATE papers SET doc = json_set(doc, '$.title', 42) WHERE id = ?").run(low);
    expect((await store.threadCandidates({ limit: 1, scan: 10 })).papers.map((p) => p.id)).toEqual([best]);
    await expect(store.threadCandidates({ limit: 2, scan: 10 })).rejects.toThrow();
  });
});

describe('window activity in the embedded store', () => {
  it('counts every paper judged in the window, one without the lists later Sherpas added and one broken too', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const older = await accepted(0, 9);
    const broken = await accepted(1, 3);
    database.connection
      .prepare("UPDATE papers SET doc = json_remove(doc, '$.runs', '$.codeVersions') WHERE id = ?")
      .run(older);
    database.connection
      .prepare("UPDATE papers SET doc = json_set(doc, '$.title', 42) WHERE id = ?")
      .run(broken);
    const activity = await store.activitySince({ since, limit: 100 });
    expect(activity.sources).toEqual([
      expect.objectContaining({ scraped: 2, judged: 2, accepted: 2, filtered: 0 }),
    ]);
    expect(activity.finishedRuns).toEqual([]);
  });
});
