/**
 * Pool scheduling with spot and resume (issue 12): 40 approved runs of 4 minutes arriving over 2 hours, half
 * written for Trainium and half for GPU, on three pools (a fixed trn1, a spot trn1 launch pool, a spot g5
 * launch pool), with spot interruptions. The REAL run worker, placement, slot claims, idle stop/terminate and
 * resume path run on SQLite against a simulated EC2 on a virtual clock. Reports dollars per run-minute
 * against the same workload on on-demand capacity only, and the work lost per interruption.
 *
 * "Interruptions at 10 % of run-hours": one interruption per 10 spot run-hours would be 0.3 interruptions in
 * this 2.7-run-hour workload, too few to measure, so 10 % of the runs placed on spot (seeded) are interrupted
 * at a uniformly random moment of their code time. Work lost = code time of all attempts − the run's 4 min.
 */
import { startIdleStop } from '../jobs/idle-stop.js';
import { startRunWorker } from '../jobs/run-worker.js';
import type { ComputePool } from '../src/config/compute-pools.js';
import { tablePrice } from '../src/config/instance-prices.js';
import type { Paper } from '../src/domain/paper.js';
import { runWorkPending } from '../src/runs/pending-run-work.js';
import { requestRun } from '../src/runs/request-run.js';
import { seedCodeReadyPaper } from '../test/support/run-fixtures.js';
import { runHarness } from '../test/support/run-harness.js';
import { SimulatedCompute } from '../test/support/simulated-compute.js';
import { VirtualClock } from '../test/support/virtual-clock.js';

const MINUTE = 60_000;
const RUNS = 40;
const RUN_MINUTES = 4;
const SPACING_MINUTES = 3; // 40 arrivals over 2 hours
const BOOT_MINUTES = 2;
const CHECKPOINT_MINUTES = 1;
const INTERRUPTED_SHARE = 0.1;
const FIXED = 'i-0bench0000000000f';

function pools(spot: boolean): ComputePool[] {
  const trn1 = tablePrice('trn1.2xlarge', 'on-demand') as number;
  const g5 = tablePrice('g5.xlarge', 'on-demand') as number;
  const market = spot ? 'spot' : 'on-demand';
  const common = { idleMinutes: 5, mode: 'launch' as const, max: 3, market: market as 'spot' | 'on-demand' };
  return [
    {
      name: 'trn1-fixed',
      instanceType: 'trn1.2xlarge',
      backend: 'neuron',
      mode: 'fixed',
      instanceIds: [FIXED],
      market: 'on-demand',
      hourlyUsd: trn1,
      onDemandHourlyUsd: trn1,
      idleMinutes: 15,
    },
    {
      ...common,
      name: 'trn1-launch',
      instanceType: 'trn1.2xlarge',
      backend: 'neuron',
      launchTemplate: { id: 'lt-0bench000000000001', version: '$Default' },
      hourlyUsd: spot ? (tablePrice('trn1.2xlarge', 'spot') as number) : trn1,
      onDemandHourlyUsd: trn1,
    },
    {
      ...common,
      name: 'gpu-launch',
      instanceType: 'g5.xlarge',
      backend: 'cuda',
      launchTemplate: { id: 'lt-0bench000000000002', version: '$Default' },
      hourlyUsd: spot ? (tablePrice('g5.xlarge', 'spot') as number) : g5,
      onDemandHourlyUsd: g5,
    },
  ];
}

/** A small deterministic generator (mulberry32), so every bench run interrupts the same runs. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  usd: number;
  perRunMinute: number;
  interruptions: number;
  lostMinutes: number[];
  succeeded: number;
  leftRunning: number;
}

async function simulate(spot: boolean): Promise<Outcome> {
  const clock = new VirtualClock('2026-12-05T09:00:00.000Z');
  const poolList = pools(spot);
  let compute: SimulatedCompute | undefined;
  const harness = runHarness({
    clock,
    pools: poolList,
    env: { DAILY_BUDGET_USD: '1000', MAX_RESUMES: '3' },
    compute: (blobs) => {
      compute = new SimulatedCompute({
        clock,
        blobs,
        instanceIds: [FIXED],
        hourlyPriceUsd: poolList[0]?.hourlyUsd ?? 0,
        bootMs: BOOT_MINUTES * MINUTE,
        stopMs: MINUTE,
        runMs: () => RUN_MINUTES * MINUTE,
        pollMs: 5_000,
        checkpointEveryMs: CHECKPOINT_MINUTES * MINUTE,
      });
      return compute;
    },
  });
  const sim = compute as SimulatedCompute;
  const { deps } = harness;
  const papers: Paper[] = [];
  for (let n = 0; n < RUNS; n += 1) {
    const paper = await seedCodeReadyPaper(deps, n);
    if (n % 2 === 1) {
      // Half the papers have GPU code.
      const versions = paper.codeVersions.map((version) => ({ ...version, backend: 'cuda' as const }));
      papers.push((await deps.papers.update(paper.id, { codeVersions: versions })) ?? paper);
    } else papers.push(paper);
  }
  const worker = startRunWorker(deps, { waitSeconds: 0, idlePollMs: 1_000 });
  const idleStop = startIdleStop(
    {
      compute: sim,
      pool: deps.pool,
      coordination: deps.coordination,
      ledger: deps.ledger,
      clock,
      logger: deps.logger,
      idleStopMinutes: 15,
      notify: async () => undefined,
      runWorkPending: () => runWorkPending(deps.papers),
      sleep: clock.sleep,
    },
    MINUTE,
  );
  // The interrupter: decides once per spot attempt whether it is interrupted, and when.
  const random = seeded(12);
  const decided = new Set<string>();
  let stopped = false;
  const interrupter = (async () => {
    while (!stopped) {
      await clock.sleep(5_000);
      for (const [attemptId, start] of sim.runStarts) {
        if (decided.has(attemptId) || attemptId.includes('.a')) continue;
        decided.add(attemptId);
        const instanceId = sim.runs.get(attemptId)?.instanceId;
        const [status] = instanceId ? await sim.describe([instanceId]) : [];
        if (status?.lifecycle !== 'spot' || random() >= INTERRUPTED_SHARE) continue;
        const onSpot = status;
        const at = start + random() * RUN_MINUTES * MINUTE;
        void (async () => {
          await clock.sleep(Math.max(0, at - clock.now().getTime()));
          sim.interrupt(onSpot.instanceId);
        })();
      }
    }
  })();
  await Promise.all(
    papers.map(async (paper, index) => {
      await clock.sleep(index * SPACING_MINUTES * MINUTE);
      const outcome = await requestRun(deps, {
        kind: 'approve',
        paperId: paper.id,
        codeHash: paper.currentCodeHash as string,
        userId: 'U0APPROVER1',
      });
      if (outcome.kind !== 'queued') throw new Error(`run ${index} was not queued: ${outcome.kind}`);
    }),
  );
  const finished = async () => {
    const states = await Promise.all(papers.map(async (paper) => (await deps.papers.get(paper.id))?.state));
    return states.every((state) => state === 'succeeded' || state === 'failed') && sim.live().length === 0;
  };
  for (let spins = 0; !(await finished()); spins += 1) {
    if (spins > 5_000_000) throw new Error('simulation did not settle');
    await new Promise((resolve) => setImmediate(resolve));
  }
  stopped = true;
  await Promise.all([worker.stop(), idleStop.stop(), interrupter]);

  const priceOf = (instanceId: string) => {
    const launch = sim.launched.find((candidate) => candidate.instanceId === instanceId);
    const pool = poolList.find((candidate) => candidate.name === (launch?.pool ?? 'trn1-fixed'));
    return launch?.market === 'on-demand' ? (pool?.onDemandHourlyUsd ?? 0) : (pool?.hourlyUsd ?? 0);
  };
  const ids = [FIXED, ...sim.launched.map((launch) => launch.instanceId)];
  const usd = ids.reduce((sum, id) => sum + (sim.billedMs(id) / 3_600_000) * priceOf(id), 0);
  const lostMinutes = [...sim.codeMs.values()]
    .filter((attempts) => attempts.length > 1)
    .map((attempts) => (attempts.reduce((a, b) => a + b, 0) - RUN_MINUTES * MINUTE) / MINUTE);
  const states = await Promise.all(papers.map(async (paper) => (await deps.papers.get(paper.id))?.state));
  harness.close();
  return {
    usd,
    perRunMinute: usd / (RUNS * RUN_MINUTES),
    interruptions: sim.lostWorkMs.length,
    lostMinutes,
    succeeded: states.filter((state) => state === 'succeeded').length,
    leftRunning: sim.live().length,
  };
}

export async function run(): Promise<void> {
  console.log(
    `${RUNS} runs × ${RUN_MINUTES} min over 2 h (half Trainium, half GPU) on trn1-fixed + trn1 launch (max 3) + ` +
      `g5 launch (max 3); boot ${BOOT_MINUTES} min; code checkpoints every ${CHECKPOINT_MINUTES} min; ` +
      `${INTERRUPTED_SHARE * 100} % of spot runs interrupted.`,
  );
  const onDemand = await simulate(false);
  const spot = await simulate(true);
  for (const [name, outcome] of [
    ['on-demand only', onDemand],
    ['spot launch pools', spot],
  ] as const) {
    console.log(
      `${name.padEnd(20)} $${outcome.usd.toFixed(2).padStart(6)}  $${outcome.perRunMinute.toFixed(4)}/run-min  ` +
        `${outcome.succeeded}/${RUNS} succeeded  ${outcome.interruptions} interruptions  ${outcome.leftRunning} left running`,
    );
  }
  const ratio = spot.perRunMinute / onDemand.perRunMinute;
  const worstLost = Math.max(0, ...spot.lostMinutes);
  const meanLost = spot.lostMinutes.length
    ? spot.lostMinutes.reduce((a, b) => a + b, 0) / spot.lostMinutes.length
    : 0;
  console.log(
    `dollars per run-minute, spot vs on-demand only: ${ratio.toFixed(2)}×; target < 1.00 ${ratio < 1 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `work lost per interruption: mean ${meanLost.toFixed(2)} min, worst ${worstLost.toFixed(2)} min over ` +
      `${spot.lostMinutes.length} interrupted runs; target ≤ ${CHECKPOINT_MINUTES} min (the checkpoint interval) ` +
      `${spot.lostMinutes.length > 0 && worstLost <= CHECKPOINT_MINUTES ? 'met' : 'NOT met'}` +
      `${spot.succeeded === RUNS && spot.leftRunning === 0 ? '' : ' (some runs did not finish or instances were left running)'}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
