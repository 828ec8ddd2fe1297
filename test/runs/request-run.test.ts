import { CodegenJobSchema } from '../../src/domain/jobs.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteWorkQueue, openSherpaDatabase } from '../../src/adapters/embedded/index.js';
import { executeRun } from '../../src/runs/execute-run.js';
import { requestFix } from '../../src/runs/request-fix.js';
import { requestRun } from '../../src/runs/request-run.js';
import type { PaperStore } from '../../src/ports/paper-store.js';
import { runHarness, type RunHarness } from '../support/run-harness.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { SimulatedCompute } from '../support/simulated-compute.js';
import { VirtualClock } from '../support/virtual-clock.js';

const APPROVER = 'U0APPROVER1';
const MINUTE = 60_000;
let harness: RunHarness;

function start(env: Record<string, string> = {}, fails = false) {
  const clock = new VirtualClock('2026-11-23T09:00:00.000Z');
  harness = runHarness({
    env: { INSTANCE_HOURLY_PRICE_USD: '1.2', ...env },
    clock,
    compute: (blobs) =>
      new SimulatedCompute({
        clock,
        blobs,
        instanceIds: ['i-0123456789abcdef0'],
        hourlyPriceUsd: 1.2,
        bootMs: 2 * MINUTE,
        stopMs: MINUTE,
        runMs: () => 4 * MINUTE,
        fails: () => fails,
      }),
  });
  return { ...harness, clock };
}

afterEach(() => harness?.close());

async function runToTheEnd() {
  const [message] = await harness.deps.runQueue.receive({ max: 1, visibilitySeconds: 300 });
  if (!message) throw new Error('nothing queued');
  await executeRun(harness.deps, message);
}

describe('requestRun', () => {
  it('holds a run that would pass the daily budget, and an override releases it onto the queue', async () => {
    const { deps, reporter } = start({ DAILY_BUDGET_USD: '1' });
    const paper = await seedCodeReadyPaper(deps, 0);
    await deps.ledger.record({
      at: '2026-11-23T08:00:00.000Z',
      paperId: paper.id,
      kind: 'llm',
      resource: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      purpose: 'codegen.code',
      inputTokens: 40_000,
      outputTokens: 9_000,
      usd: 0.9,
    });
    const codeHash = paper.currentCodeHash as string;

    const held = await requestRun(deps, { kind: 'approve', paperId: paper.id, codeHash, userId: APPROVER });
    expect(held.kind).toBe('held');
    expect((await deps.papers.get(paper.id))?.state).toBe('run_held');
    expect((await deps.runQueue.depth()).visible).toBe(0);
    // (10 min code budget + 5 min overhead) at $1.20/h = $0.30 on top of $0.90 > $1.00.
    expect(reporter.heldViews).toEqual([
      expect.objectContaining({
        paperId: paper.id,
        codeHash,
        spentTodayUsd: 0.9,
        estimateUsd: 0.3,
        limitUsd: 1,
      }),
    ]);

    const released = await requestRun(deps, {
      kind: 'override',
      paperId: paper.id,
      codeHash,
      userId: APPROVER,
    });
    expect(released).toMatchObject({ kind: 'queued', position: 1 });
    expect((await deps.papers.get(paper.id))?.state).toBe('queued');
    const audit = await deps.papers.audit(paper.id);
    expect(audit.map((entry) => [entry.to, entry.note])).toEqual(
      expect.arrayContaining([
        ['run_held', expect.stringContaining('over budget')],
        ['run_approved', 'daily budget overridden'],
      ]),
    );
    expect(audit.find((entry) => entry.to === 'run_approved')?.artifactHash).toBe(codeHash);
  });

  it('refuses a button bound to an older code hash, naming the newer version', async () => {
    const { deps } = start();
    const paper = await seedCodeReadyPaper(deps, 0);
    const outcome = await requestRun(deps, {
      kind: 'approve',
      paperId: paper.id,
      codeHash: 'f'.repeat(64),
      userId: APPROVER,
    });
    expect(outcome.kind).toBe('stale');
    expect(outcome.kind === 'stale' && outcome.message).toMatch(/newer version of the code exists \(v1/);
    expect((await deps.papers.get(paper.id))?.state).toBe('code_ready');
  });

  it('lets exactly one of two clicks through and tells the other who approved', async () => {
    const { deps } = start();
    const paper = await seedCodeReadyPaper(deps, 0);
    const request = {
      kind: 'approve' as const,
      paperId: paper.id,
      codeHash: paper.currentCodeHash as string,
      userId: APPROVER,
    };
    const [first, second] = await Promise.all([requestRun(deps, request), requestRun(deps, request)]);
    const kinds = [first.kind, second.kind].sort();
    expect(kinds).toEqual(['queued', 'refused']);
    const refused = [first, second].find((outcome) => outcome.kind === 'refused');
    expect(refused?.kind === 'refused' && refused.message).toMatch(
      /already decided.*<@U0APPROVER1> approved the run/,
    );
    expect((await deps.runQueue.depth()).visible).toBe(1);
  });

  it('re-runs finished code as a new run of the same hash', async () => {
    const { deps } = start();
    const paper = await seedCodeReadyPaper(deps, 0);
    const codeHash = paper.currentCodeHash as string;
    const first = await requestRun(deps, { kind: 'approve', paperId: paper.id, codeHash, userId: APPROVER });
    await runToTheEnd();
    const again = await requestRun(deps, { kind: 'rerun', paperId: paper.id, codeHash, userId: APPROVER });
    expect(again.kind).toBe('queued');
    if (first.kind !== 'queued' || again.kind !== 'queued') return;
    expect(again.run.runId).not.toBe(first.run.runId);
    expect(again.run.codeHash).toBe(codeHash);
    await runToTheEnd();
    const stored = await deps.papers.get(paper.id);
    expect(stored?.runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
  });
});

describe('requestRun under concurrency (issue 10, found item 8)', () => {
  it('lets exactly one of two concurrent re-runs through', async () => {
    const { deps } = start();
    const paper = await seedCodeReadyPaper(deps, 0);
    const codeHash = paper.currentCodeHash as string;
    await requestRun(deps, { kind: 'approve', paperId: paper.id, codeHash, userId: APPROVER });
    await runToTheEnd();
    const request = { kind: 'rerun' as const, paperId: paper.id, codeHash, userId: APPROVER };
    const outcomes = await Promise.all([requestRun(deps, request), requestRun(deps, request)]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['queued', 'refused']);
    expect((await deps.papers.get(paper.id))?.runs).toHaveLength(2);
    expect((await deps.runQueue.depth()).visible).toBe(1);
  });

  it('refuses a click whose read of the runs is older than a run that happened meanwhile', async () => {
    const { deps } = start();
    const paper = await seedCodeReadyPaper(deps, 0);
    const codeHash = paper.currentCodeHash as string;
    await requestRun(deps, { kind: 'approve', paperId: paper.id, codeHash, userId: APPROVER });
    await runToTheEnd();
    // Click B reads the paper now; click A then re-runs it to the end before B writes.
    const readByB = await deps.papers.get(paper.id);
    const request = { kind: 'rerun' as const, paperId: paper.id, codeHash, userId: APPROVER };
    expect((await requestRun(deps, request)).kind).toBe('queued');
    await runToTheEnd();
    let firstRead = true;
    const papersAsBSawThem: PaperStore = Object.create(deps.papers, {
      get: {
        value: async (paperId: string) => {
          if (!firstRead) return deps.papers.get(paperId);
          firstRead = false;
          return readByB;
        },
      },
    });

    const late = await requestRun({ ...deps, papers: papersAsBSawThem }, request);

    expect(late.kind).toBe('refused');
    const stored = await deps.papers.get(paper.id);
    expect(stored?.runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
    expect((await deps.runQueue.depth()).visible).toBe(0);
  });
});

describe('requestFix', () => {
  it('sends the failure back to code generation and counts the round, up to MAX_FIX_ROUNDS', async () => {
    const { deps } = start({ MAX_FIX_ROUNDS: '1' }, true);
    const database = openSherpaDatabase({ dataDir: ':memory:' });
    const codegenQueue = new SqliteWorkQueue(database, { name: 'codegen', schema: CodegenJobSchema });
    const paper = await seedCodeReadyPaper(deps, 0);
    const codeHash = paper.currentCodeHash as string;
    const queued = await requestRun(deps, { kind: 'approve', paperId: paper.id, codeHash, userId: APPROVER });
    await runToTheEnd();
    expect((await deps.papers.get(paper.id))?.state).toBe('failed');
    if (queued.kind !== 'queued') throw new Error('not queued');

    const fix = await requestFix(
      { ...deps, codegenQueue },
      { paperId: paper.id, runId: queued.run.runId, userId: APPROVER },
    );
    expect(fix).toEqual({ kind: 'requested', round: 1 });
    const after = await deps.papers.get(paper.id);
    expect(after).toMatchObject({ state: 'code_requested', fixRounds: 1 });
    const [job] = await codegenQueue.receive({ max: 1, visibilitySeconds: 30 });
    expect(job?.body).toMatchObject({
      paperId: paper.id,
      requestedBy: APPROVER,
      fixOfRunId: queued.run.runId,
    });
    expect(job?.body.feedback).toContain('compiler_error (NCC_EUOC002)');
    expect(job?.body.feedback).toContain('[NCC_EUOC002] Unsupported operator aten::_fft_r2c');
    expect(job?.body.feedback).not.toContain('DeprecationWarning');

    // The paper comes back with new code, fails again: no rounds left.
    await deps.papers.transition({
      paperId: paper.id,
      from: 'code_requested',
      to: 'code_ready',
      actor: 'system:codegen',
    });
    await requestRun(deps, { kind: 'approve', paperId: paper.id, codeHash, userId: APPROVER });
    await runToTheEnd();
    const last = (await deps.papers.get(paper.id))?.runs.at(-1)?.runId as string;
    const refused = await requestFix(
      { ...deps, codegenQueue },
      { paperId: paper.id, runId: last, userId: APPROVER },
    );
    expect(refused.kind === 'refused' && refused.message).toMatch(/used its 1 fix rounds/);
    database.close();
  });
});
