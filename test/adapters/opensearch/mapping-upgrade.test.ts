import { Client } from '@opensearch-project/opensearch';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ensureIndices,
  INDEX_MAPPINGS,
  indexNames,
  OpenSearchCostLedger,
  OpenSearchHttp,
} from '../../../src/adapters/opensearch/index.js';
import type { LedgerEntry } from '../../../src/ports/cost-ledger.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../../support/fake-opensearch.js';

let fake: FakeOpenSearch | undefined;
afterEach(async () => fake?.close());

const run: LedgerEntry = {
  at: '2026-12-05T10:00:00.000Z',
  paperId: 'p_a',
  runId: 'r1',
  kind: 'instance',
  resource: 'i-0abc',
  purpose: 'run',
  seconds: 60,
  usd: 0.02,
  execution: { instanceType: 'trn1.2xlarge', market: 'spot', throughput: { value: 3.5, unit: 'steps/s' } },
};

describe('an index made by an older Sherpa (issue 12)', () => {
  it("takes the ledger's new execution field at startup, so a strict mapping does not refuse a run's entry", async () => {
    fake = await startFakeOpenSearch();
    const url = fake.url;
    const http = () => new OpenSearchHttp(new Client({ node: url, maxRetries: 0 }), url);
    const names = indexNames('sherpa');
    // The ledger index as the previous release made it: no `execution` in its strict mapping.
    const { execution: _execution, ...olderProperties } = INDEX_MAPPINGS.ledger.properties;
    await http().call('create an older ledger index', {
      method: 'PUT',
      path: `/${names.physical('ledger')}`,
      body: {
        mappings: { dynamic: 'strict', properties: olderProperties },
        aliases: { [names.alias('ledger')]: { is_write_index: true } },
      },
    });
    const ledger = new OpenSearchCostLedger({ http: http(), names });
    await expect(ledger.record(run)).rejects.toThrow(/strict/);

    await ensureIndices(http(), names);
    await ledger.record(run);
    expect(await ledger.entries({ paperId: 'p_a' })).toEqual([run]);
  });
});
