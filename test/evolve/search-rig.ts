import { createPatch } from 'diff';
import {
  openSherpaDatabase,
  SqliteCoordinationStore,
  SqliteCostLedger,
  SqliteSearchStore,
  type SherpaDatabase,
} from '../../src/adapters/embedded/index.js';
import { storeCode } from '../../src/codegen/store-code-version.js';
import type { DriveDeps } from '../../src/evolve/drive-search.js';
import { EvolveSearchSchema, type EvolveSearch } from '../../src/domain/evolve-search.js';
import { createLogger } from '../../src/logging/logger.js';
import type { CostLedger } from '../../src/ports/cost-ledger.js';
import type { Llm, StructuredRequest, StructuredResult } from '../../src/ports/llm.js';
import { InstancePool } from '../../src/runs/instance-pool.js';
import { SqlitePaperStore } from '../../src/adapters/embedded/sqlite-paper-store.js';
import { otherWorkWaiting } from '../../src/evolve/parent-sample-fill.js';
import { GOOD_SCRIPT } from '../support/fake-codegen-replies.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import { SimulatedCompute, type SimulatedComputeOptions } from '../support/simulated-compute.js';
import { gated, type ProcessSwitch } from '../support/process-switch.js';
import { VirtualClock } from '../support/virtual-clock.js';
import type { SearchStore } from '../../src/ports/search-store.js';

/**
 * A scripted proposal model (test equipment): for each `record_variants` call it reads the parent out of
 * the prompt and answers N diffs that each append one comment line, so every variant is a distinct script.
 * It records each call in the ledger the way the Bedrock adapter does.
 */
export class ScriptedProposals implements Llm {
  calls = 0;
  /** The system prompt of every call (it carries the target's device rules). */
  systems: string[] = [];
  /** How long a call takes on the virtual clock (a real one: tens of seconds to minutes). */
  latencyMs = 0;
  constructor(
    private readonly ledger: CostLedger,
    private readonly clock: VirtualClock,
  ) {}

  async structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
    this.calls += 1;
    this.systems.push(request.system);
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
    const text = request.messages[0]?.content.map((c) => (c.type === 'text' ? c.text : '')).join('') ?? '';
    const parent = /Parent train\.py:\n```python\n([\s\S]*?)\n```/.exec(text)?.[1];
    const labels = /in this order: ([a-z, ]+)\./.exec(text)?.[1]?.split(', ') ?? [];
    if (!parent) throw new Error('no parent in the prompt');
    const variants = labels.map((label, index) => ({
      label,
      strategy: `${label} change ${index} of call ${this.calls}`,
      diff: createPatch(
        'train.py',
        `${parent}\n`,
        `${parent}\n# call ${this.calls} variant ${index}\n`,
        '',
        '',
      ),
    }));
    const output = request.tool.schema.parse({ variants });
    const usage = { inputTokens: 6000, outputTokens: 2000, cacheReadTokens: 0, cacheWriteTokens: 0 };
    await this.ledger.record({
      at: this.clock.now().toISOString(),
      ...(request.paperId ? { paperId: request.paperId } : {}),
      kind: 'llm',
      resource: request.modelId,
      purpose: request.purpose,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      usd: 0.05,
    });
    return { output, usage, usd: 0.05, calls: 1, modelId: request.modelId };
  }
}

/** Instance ids of a simulated pool: `i-0000000000000000a`, `…b`, and so on. */
export function instanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `i-${'0'.repeat(16)}${String.fromCharCode(97 + i)}`);
}

export interface SearchRig {
  database: SherpaDatabase;
  clock: VirtualClock;
  blobs: MemoryBlobStore;
  compute: SimulatedCompute;
  llm: ScriptedProposals;
  ledger: SqliteCostLedger;
  /** Ports of one "process" on the shared database, compute and blobs. */
  deps(overrides?: Partial<DriveDeps>): DriveDeps;
  /** A confirmed search (`record` overrides any other field, e.g. a state stored by an older version). */
  seed(settings?: Partial<EvolveSearch['settings']>, record?: Partial<EvolveSearch>): Promise<EvolveSearch>;
  close(): void;
}

const MINUTE = 60_000;

export function searchRig(compute: Partial<SimulatedComputeOptions> = {}): SearchRig {
  const database = openSherpaDatabase({ dataDir: ':memory:' });
  const clock = new VirtualClock('2026-12-05T09:00:00.000Z');
  const blobs = new MemoryBlobStore();
  const ledger = new SqliteCostLedger(database);
  const simulated = new SimulatedCompute({
    clock,
    blobs,
    instanceIds: instanceIds(2),
    hourlyPriceUsd: 1.2,
    bootMs: 2 * MINUTE,
    stopMs: MINUTE,
    // A full run trains for its 5-minute budget; a smoke run (a search stored before the gate) for 30 seconds.
    runMs: (runId) => (runId.endsWith('.smoke') ? 30_000 : 5 * MINUTE),
    initialState: 'running',
    ...compute,
  });
  const llm = new ScriptedProposals(ledger, clock);
  const logger = createLogger({ level: 'silent' });
  return {
    database,
    clock,
    blobs,
    compute: simulated,
    llm,
    ledger,
    deps(overrides = {}) {
      const coordination = new SqliteCoordinationStore(database, { clock });
      const searches = new SqliteSearchStore(database, { clock });
      const papers = new SqlitePaperStore(database, { clock });
      return {
        searches,
        blobs,
        compute: simulated,
        pool: new InstancePool({ compute: simulated, coordination, logger }),
        coordination,
        ledger,
        clock,
        sleep: clock.sleep,
        logger,
        timings: { pollMs: 15_000, pendingLimitMs: 720_000, heartbeatMs: 30_000 },
        propose: {
          llm,
          modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
          systemFor: (backend) => `stable prefix for ${backend}`,
          check: async () => ({ passed: true, checks: [{ name: 'stand-in', passed: true }], findings: [] }),
          logger,
        },
        parentProfile: async () => undefined,
        rates: { hourlyPriceUsd: 1.2, inputPerMTok: 3, outputPerMTok: 15, overheadMinutes: 1 },
        budget: { dailyUsd: 100, timezone: 'UTC' },
        busyRetryMs: 30_000,
        // The product's rule (evolve-services.ts): the rig's papers and searches are the pool's other work.
        otherWorkWaiting: (search) => otherWorkWaiting({ papers, searches }, search.id),
        ...overrides,
      };
    },
    async seed(settings = {}, record = {}) {
      const origin = await storeCode(blobs, GOOD_SCRIPT);
      const search = EvolveSearchSchema.parse({
        id: 's_abc',
        paperId: 'p_1',
        version: 1,
        state: 'confirmed',
        generation: 0,
        settings: {
          variants: 3,
          generations: 2,
          minutes: 5,
          smokeSeconds: 30,
          maxUsd: 20,
          objective: { metric: 'val_loss', direction: 'min' },
          target: 'neuron',
          seed: 1234,
          startRepeats: 0,
          ...settings,
        },
        origin: { codeHash: origin.hash, runId: 'r_origin', metric: 2.0 },
        parentHash: origin.hash,
        requestedBy: 'U0APPROVER1',
        confirmedBy: 'U0APPROVER1',
        createdAt: clock.now().toISOString(),
        updatedAt: clock.now().toISOString(),
        ...record,
      });
      const created = await new SqliteSearchStore(database, { clock }).create(search);
      return created.search;
    },
    close: () => database.close(),
  };
}

/**
 * `deps`, a bot's ports, as those of a process that `process.crash()` kills: its searches, compute and
 * coordination (and an instance pool on them; the ledger too with `ledger: true`) go through the switch.
 */
export function dyingBot(
  r: SearchRig,
  process: ProcessSwitch,
  options: {
    deps?: DriveDeps;
    /** The searches to gate instead of `deps.searches` (one a test watches). */
    searches?: SearchStore;
    ledger?: boolean;
    processHolder?: () => string;
  } = {},
): DriveDeps {
  const deps = options.deps ?? r.deps();
  const compute = gated(r.compute, process);
  const coordination = gated(deps.coordination, process);
  const pool = new InstancePool({
    compute,
    coordination,
    logger: deps.logger,
    ...(options.processHolder ? { processHolder: options.processHolder } : {}),
  });
  return {
    ...deps,
    searches: gated(options.searches ?? deps.searches, process),
    compute,
    coordination,
    pool,
    ...(options.ledger ? { ledger: gated(deps.ledger, process) } : {}),
  };
}
