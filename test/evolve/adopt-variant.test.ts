import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  openSherpaDatabase,
  SqliteSearchStore,
  type SherpaDatabase,
} from '../../src/adapters/embedded/index.js';
import { tempDataDir } from '../embedded/temp-data-dir.js';
import { storeCode } from '../../src/codegen/store-code-version.js';
import { adoptVariant } from '../../src/evolve/adopt-variant.js';
import { requestRun } from '../../src/runs/request-run.js';
import { TINY_TRAINING_SCRIPT, seedCodeReadyPaper } from '../support/run-fixtures.js';
import { runHarness, type RunHarness } from '../support/run-harness.js';
import { SimulatedCompute } from '../support/simulated-compute.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { ORIGIN, searchFixture, variant } from './search-fixture.js';

let harness: RunHarness | undefined;
let database: SherpaDatabase | undefined;
const dir = tempDataDir();
afterEach(() => {
  database?.close();
  harness?.close();
});
afterAll(() => dir.remove());

describe('Adopt as code version', () => {
  it('makes the best variant the paper’s next code version, ready for a normal Run, once', async () => {
    const clock = new VirtualClock('2026-11-23T09:00:00.000Z');
    harness = runHarness({
      clock,
      dataDir: dir.path,
      compute: (blobs) =>
        new SimulatedCompute({
          clock,
          blobs,
          instanceIds: ['i-1'],
          hourlyPriceUsd: 1,
          bootMs: 1,
          stopMs: 1,
          runMs: () => 1,
        }),
    });
    const { deps } = harness;
    const seeded = await seedCodeReadyPaper(deps, 0);
    for (const [from, to] of [
      ['code_ready', 'run_approved'],
      ['run_approved', 'queued'],
      ['queued', 'running'],
      ['running', 'succeeded'],
    ] as const)
      await deps.papers.transition({ paperId: seeded.id, from, to, actor: 'system:test' });
    const evolved = await storeCode(deps.blobs, `${TINY_TRAINING_SCRIPT}# lr 2.4e-4\n`);
    // A second connection to the harness's file, as the search store would share DATA_DIR/sherpa.db.
    database = openSherpaDatabase({ dataDir: dir.path });
    const searches = new SqliteSearchStore(database, { clock });
    await searches.create(
      searchFixture({
        paperId: seeded.id,
        state: 'finished',
        parentHash: evolved.hash,
        variants: [variant(1, 0, ORIGIN, 2.1), variant(1, 1, evolved.hash, 1.7)],
      }),
    );
    const adopt = () =>
      adoptVariant({ ...deps, searches }, { searchId: 's_1', variantId: 's_1.g1.v1', userId: 'U0APPROVER1' });
    const adopted = await adopt();
    expect(adopted).toMatchObject({
      kind: 'adopted',
      paper: { state: 'code_ready', currentCodeHash: evolved.hash },
      version: { version: 2, evolvedFrom: { searchId: 's_1', variantId: 's_1.g1.v1' } },
    });
    expect((await adopt()).kind).toBe('already');
    expect((await deps.papers.get(seeded.id))?.codeVersions).toHaveLength(2);
    const run = await requestRun(deps, {
      kind: 'approve',
      paperId: seeded.id,
      codeHash: evolved.hash,
      userId: 'U0APPROVER1',
    });
    expect(run).toMatchObject({ kind: 'queued', run: { codeHash: evolved.hash } });
    const refused = await adoptVariant(
      { ...deps, searches },
      { searchId: 's_1', variantId: 's_1.g1.p0', userId: 'U1' },
    );
    expect(refused.kind).toBe('refused');
  });
});
