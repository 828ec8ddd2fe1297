import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openSherpaDatabase,
  type SherpaDatabase,
  SqlitePaperStore,
} from '../../src/adapters/embedded/index.js';
import { scrapedFromFixture } from '../support/sample-papers.js';
import { tempDataDir } from './temp-data-dir.js';

/** Issue 14: the digest's candidates are ranked on the stored documents, and only those returned are validated. */
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

async function accepted(index: number, relevance: number): Promise<string> {
  const { paper } = await store.ingest(scrapedFromFixture(index));
  await store.transition({
    paperId: paper.id,
    from: 'scraped',
    to: 'accepted',
    actor: 'system:judge',
    patch: {
      verdict: {
        decidedBy: 'llm',
        prefilterScore: 4,
        relevance,
        novelty: 5,
        feasibility: { verdict: 'yes', reason: 'fits one chip' },
        rationale: 'why',
        comparedWith: [],
        judgedAt: new Date().toISOString(),
      },
    },
  });
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
