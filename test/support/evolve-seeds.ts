import { storeCode } from '../../src/codegen/store-code-version.js';
import type { CoreDeps } from '../../src/deps.js';
import { EvolveSearchSchema, type EvolveSearch, type Variant } from '../../src/domain/evolve-search.js';
import type { Objective } from '../../src/domain/objective.js';
import type { Paper } from '../../src/domain/paper.js';
import { RunnerResultSchema, type RunnerResult } from '../../src/domain/runner-contract.js';
import type { PaperState } from '../../src/domain/paper-state.js';
import { runResultMessage } from '../../src/messages/run-result.js';
import { GOOD_SCRIPT } from './fake-codegen-replies.js';
import { seedCodeReadyPaper } from './run-fixtures.js';

export interface SucceededPaper {
  paper: Paper;
  codeHash: string;
  runId: string;
  threadTs: string;
  /** The run's result message in the thread, with its Evolve button. */
  resultTs: string;
}

const RUN_PATH: Array<[PaperState, PaperState]> = [
  ['code_ready', 'run_approved'],
  ['run_approved', 'queued'],
  ['queued', 'running'],
  ['running', 'succeeded'],
];

/**
 * A paper whose code v1 ran and succeeded, stored through the real ports the way the run worker leaves it, with
 * a thread root and the run's result message (as the run reporter builds it) posted through the Chat port.
 * `objective` is what code v1 declares (absent: a version from before objectives were asked for).
 */
export async function seedSucceededPaper(
  deps: Pick<CoreDeps, 'papers' | 'blobs' | 'chat' | 'config'>,
  n: number,
  options: { objective?: Objective; result?: boolean } = {},
): Promise<SucceededPaper> {
  const channel = deps.config.slack.channel;
  const root = await deps.chat.post({ channel, text: `Paper ${n} (thread root)` });
  const ready = await seedCodeReadyPaper(deps, n, { thread: { channel, ts: root.ts } });
  const codeHash = ready.currentCodeHash as string;
  const runId = `r_evolve_${n}`;
  // With `result`, the run's result.json is stored as the runner writes it: it printed `loss` (last 1.4).
  const resultKey = `results/${runId}/result.json`;
  if (options.result) await deps.blobs.put(resultKey, JSON.stringify(resultJson(runId)));
  let paper = ready;
  for (const [from, to] of RUN_PATH) {
    const moved = await deps.papers.transition({
      paperId: paper.id,
      from,
      to,
      actor: from === 'code_ready' ? 'U0APPROVER1' : 'system:run',
      artifactHash: codeHash,
      ifVersion: paper.version,
      patch:
        from === 'code_ready'
          ? {
              codeVersions: paper.codeVersions.map((version) => ({
                ...version,
                ...(options.objective ? { objective: options.objective } : {}),
              })),
            }
          : to === 'succeeded'
            ? {
                runs: [
                  {
                    runId,
                    codeHash,
                    status: 'succeeded',
                    queuedAt: '2026-12-05T08:00:00.000Z',
                    finishedAt: '2026-12-05T08:12:00.000Z',
                    headline: { name: 'loss', value: 1.3 },
                    ...(options.result ? { resultKey } : {}),
                  },
                ],
              }
            : {},
    });
    if (!moved.ok) throw new Error(`could not move ${paper.id} ${from} → ${to}`);
    paper = moved.paper;
  }
  const result = runResultMessage({
    paperId: paper.id,
    runId,
    codeHash,
    status: 'succeeded',
    durationSeconds: 720,
    cost: {
      instanceSeconds: 780,
      instanceUsd: 0,
      hourlyPriceUsd: 0,
      tokenUsd: 0.2,
      inputTokens: 9000,
      outputTokens: 3000,
    },
    artifacts: [],
    fixRoundsLeft: 2,
  });
  const posted = await deps.chat.post({ channel, thread_ts: root.ts, ...result });
  return { paper, codeHash, runId, threadTs: root.ts, resultTs: posted.ts };
}

function resultJson(runId: string): RunnerResult {
  const losses = [2.3, 1.9, 1.6, 1.4];
  return RunnerResultSchema.parse({
    schemaVersion: 1,
    runId,
    status: 'succeeded',
    backend: 'neuron',
    exitCode: 0,
    startedAt: '2026-12-05T08:00:00.000Z',
    finishedAt: '2026-12-05T08:12:00.000Z',
    durationSeconds: 720,
    metrics: {
      series: { loss: losses.map((value, step) => ({ step, value })) },
      summary: { loss: { first: 2.3, last: 1.4, best: 1.4, goal: 'min', points: losses.length } },
    },
    profile: { kind: 'none', reason: 'not profiled' },
    failure: null,
    logTail: { stdout: [], stderr: [] },
    truncated: { stdout: false, stderr: false },
    artifacts: ['stdout.log', 'stderr.log'],
    sandbox: { user: 'sherpa-run', metadataBlocked: true, envKeys: ['PATH'] },
  });
}

/** A search of `paper` in `state`, stored directly (the worker's side is not under test here). */
export async function seedSearch(
  deps: Pick<CoreDeps, 'blobs'> & { searches: NonNullable<CoreDeps['searches']> },
  seeded: SucceededPaper,
  state: EvolveSearch['state'],
  extra: Partial<EvolveSearch> = {},
): Promise<EvolveSearch> {
  const at = new Date().toISOString();
  const search = EvolveSearchSchema.parse({
    id: `s_seed${seeded.runId.replace(/\W/g, '')}`,
    paperId: seeded.paper.id,
    version: 1,
    state,
    generation: state === 'planned' || state === 'confirmed' ? 0 : 1,
    settings: {
      variants: 3,
      generations: 2,
      minutes: 5,
      smokeSeconds: 30,
      maxUsd: 5,
      objective: { metric: 'loss', direction: 'min' },
      target: 'neuron',
      seed: 1234,
      startRepeats: 0,
    },
    origin: { codeHash: seeded.codeHash, runId: seeded.runId, metric: 1.3 },
    parentHash: seeded.codeHash,
    requestedBy: 'U0APPROVER1',
    ...(state === 'planned' ? {} : { confirmedBy: 'U0APPROVER1' }),
    thread: { channel: seeded.paper.thread!.channel, ts: seeded.threadTs },
    createdAt: at,
    updatedAt: at,
    ...extra,
  });
  const created = await deps.searches.create(search);
  if (!created.created) throw new Error('the paper already has a live search');
  return created.search;
}

/** A finished search whose child g1.v0 (a distinct, stored script) beat the original. */
export async function seedFinishedSearch(
  deps: Pick<CoreDeps, 'blobs'> & { searches: NonNullable<CoreDeps['searches']> },
  seeded: SucceededPaper,
): Promise<{ search: EvolveSearch; variant: Variant; code: string }> {
  const code = `${GOOD_SCRIPT}\n# evolved: batch 8 → 16\n`;
  const { hash } = await storeCode(deps.blobs, code);
  const id = `s_seed${seeded.runId.replace(/\W/g, '')}`;
  const variant: Variant = {
    id: `${id}.g1.v0`,
    generation: 1,
    role: 'child',
    label: 'moderate',
    strategy: 'batch 8 → 16',
    parentHash: seeded.codeHash,
    codeHash: hash,
    repaired: false,
    status: 'succeeded',
    metric: 1.1,
    costUsd: 0.2,
  };
  const search = await seedSearch(deps, seeded, 'finished', {
    generation: 1,
    parentHash: hash,
    variants: [variant],
    endReason: 'all 1 generations ran (real_improvement)',
  });
  return { search, variant, code };
}
