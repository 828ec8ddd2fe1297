import { describe, expect, it } from 'vitest';
import { openSherpaDatabase, SqliteWorkQueue } from '../../src/adapters/embedded/index.js';
import { EvolveJobSchema } from '../../src/domain/jobs.js';
import { ConfigError } from '../../src/errors.js';
import { sendEvolveJob } from '../../src/evolve/send-evolve-job.js';
import { searchFixture } from './search-fixture.js';

describe('sendEvolveJob', () => {
  it('queues one job per search: the search id is the dedupe id, the paper id the group', async () => {
    const database = openSherpaDatabase({ dataDir: ':memory:' });
    try {
      const evolve = new SqliteWorkQueue(database, { name: 'evolve', schema: EvolveJobSchema });
      const search = searchFixture({ id: 's_42', paperId: 'p_7' });
      await sendEvolveJob({ queues: { evolve } }, search);
      // A second confirmation (or a re-send after a crash) is the same message.
      await sendEvolveJob({ queues: { evolve } }, search);
      expect(await evolve.position('s_42')).toBe(1);
      const received = await evolve.receive({ max: 10, visibilitySeconds: 60 });
      expect(received.map((m) => m.body)).toEqual([{ searchId: 's_42', paperId: 'p_7' }]);
      expect(received[0]?.dedupeId).toBe('s_42');
    } finally {
      database.close();
    }
  });

  it('says which variable to set where SQS has no evolve queue', async () => {
    const error = await sendEvolveJob({ queues: {} }, searchFixture()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('SQS_EVOLVE_QUEUE_URL');
  });
});
