import { afterEach, expect } from 'vitest';
import {
  OpenSearchCoordinationStore,
  OpenSearchCostLedger,
  OpenSearchPaperStore,
  OpenSearchSearchStore,
} from '../../../src/adapters/opensearch/index.js';
import { describeCoordinationStoreContract } from '../../contracts/coordination-store.contract.js';
import { ContractClock } from '../../contracts/contract-support.js';
import { describeCostLedgerContract } from '../../contracts/cost-ledger.contract.js';
import { describePaperStoreContract } from '../../contracts/paper-store.contract.js';
import { describeSearchStoreContract } from '../../contracts/search-store.contract.js';
import type { FakeOpenSearch } from '../../support/fake-opensearch.js';
import { openFakeIndex } from './opensearch-subject.js';

/**
 * The shared contract suites against the OpenSearch adapters, over HTTP to a loopback fake that honours
 * `if_seq_no`/`if_primary_term`, `op_type=create` and near-real-time search (refresh), with strict mappings.
 */
const opened: FakeOpenSearch[] = [];
afterEach(() => {
  for (const fake of opened.splice(0)) expect(fake.unmatched).toEqual([]);
});

describePaperStoreContract('OpenSearch (loopback fake)', async () => {
  const { fake, http, names } = await openFakeIndex();
  opened.push(fake);
  const clock = new ContractClock();
  const sleep = async () => {};
  return {
    store: new OpenSearchPaperStore({ http: http(), names, clock, sleep }),
    clock,
    // A second client with its own connection pool, as a second Sherpa process would have.
    openAnother: async () => new OpenSearchPaperStore({ http: http(), names, clock, sleep }),
    close: () => fake.close(),
  };
});

describeCoordinationStoreContract('OpenSearch (loopback fake)', async () => {
  const { fake, http, names } = await openFakeIndex();
  opened.push(fake);
  const clock = new ContractClock();
  return {
    coordination: new OpenSearchCoordinationStore({ http: http(), names, clock }),
    clock,
    close: () => fake.close(),
  };
});

describeCostLedgerContract('OpenSearch (loopback fake)', async () => {
  const { fake, http, names } = await openFakeIndex();
  opened.push(fake);
  return { ledger: new OpenSearchCostLedger({ http: http(), names }), close: () => fake.close() };
});

describeSearchStoreContract('OpenSearch (loopback fake)', async () => {
  const { fake, http, names } = await openFakeIndex();
  opened.push(fake);
  const clock = new ContractClock();
  return {
    searches: new OpenSearchSearchStore({ http: http(), names, clock }),
    openAnother: async () => new OpenSearchSearchStore({ http: http(), names, clock }),
    close: () => fake.close(),
  };
});
