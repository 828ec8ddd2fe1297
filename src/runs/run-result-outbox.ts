import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isTransient, SchemaError, TransientError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { PaperStore } from '../ports/paper-store.js';
import { renderLossCurve } from '../plots/loss-curve.js';
import type { RunResultView } from '../messages/run-result.js';
import { readResultAt } from '../runner/read-run-files.js';
import type { RunReporter } from './run-reporter.js';

/**
 * The outbox of run results (issue 10, found item 7 and build item 4): "the run finished" is the paper's state,
 * "its result is posted" is this record, and the two are never confused. The outcome is written here first
 * (the first finisher's view wins, so a run has one true outcome), the paper moves, and then the post is made
 * from this record, exactly once: a transient Slack failure leaves it pending for the next delivery, a post
 * whose answer was lost is found again by its metadata, and a permanent refusal falls back to a plain line.
 * Nothing here ever changes what the run's outcome was.
 */
const OUTBOX_PREFIX = 'run-result/';

/** A claim older than this is a dead worker's: the next one looks for its post, then posts. */
const CLAIM_MS = 10 * 60_000;

const ViewSchema = z.custom<RunResultView>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { runId?: unknown }).runId === 'string' &&
    ((value as { status?: unknown }).status === 'succeeded' ||
      (value as { status?: unknown }).status === 'failed'),
  'a run result view',
);

const EntrySchema = z.object({
  paperId: z.string(),
  runId: z.string(),
  view: ViewSchema,
  /** result.json, to draw the loss curve again at post time (a PNG does not belong in a store record). */
  resultKey: z.string().optional(),
  state: z.enum(['pending', 'posted', 'undeliverable']),
  ts: z.string().optional(),
  /** Posts begun: after the first, a post whose answer was lost may exist and is looked for first. */
  attempts: z.number().int().default(0),
  claim: z.object({ holder: z.string(), at: z.string() }).optional(),
  reason: z.string().optional(),
});
export type ResultEntry = z.infer<typeof EntrySchema>;

export interface OutboxDeps {
  coordination: CoordinationStore;
  papers: PaperStore;
  blobs: BlobStore;
  reporter: RunReporter;
  clock: Clock;
  logger: Logger;
}

const keyOf = (runId: string) => `${OUTBOX_PREFIX}${runId}`;

function parseEntry(value: unknown): ResultEntry {
  const parsed = EntrySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SchemaError('run result outbox entry', parsed.error.issues.map((i) => i.message).join('; '));
}

/**
 * Record a run's outcome before the paper moves. Returns the stored entry: this view, or the one an earlier
 * finisher of the same run recorded (a redelivered or second worker never re-decides the outcome).
 */
export async function recordOutcome(
  deps: Pick<OutboxDeps, 'coordination'>,
  input: { paperId: string; view: RunResultView; resultKey?: string },
): Promise<ResultEntry> {
  const entry: ResultEntry = {
    paperId: input.paperId,
    runId: input.view.runId,
    view: input.view,
    ...(input.resultKey ? { resultKey: input.resultKey } : {}),
    state: 'pending',
    attempts: 0,
  };
  const written = await deps.coordination.put(keyOf(entry.runId), entry, { ifAbsent: true });
  if (written) return entry;
  const existing = await deps.coordination.get(keyOf(entry.runId));
  if (!existing)
    throw new TransientError('run result outbox entry vanished', { context: { runId: entry.runId } });
  return parseEntry(existing.value);
}

export async function outboxEntry(
  deps: Pick<OutboxDeps, 'coordination'>,
  runId: string,
): Promise<ResultEntry | undefined> {
  const record = await deps.coordination.get(keyOf(runId));
  return record && parseEntry(record.value);
}

/** Take the entry for this worker; undefined when there is nothing left to post. */
async function claim(deps: OutboxDeps, runId: string, holder: string): Promise<ResultEntry | undefined> {
  for (;;) {
    const record = await deps.coordination.get(keyOf(runId));
    if (!record) return undefined;
    const entry = parseEntry(record.value);
    if (entry.state !== 'pending') return undefined;
    const nowMs = deps.clock.now().getTime();
    if (entry.claim && nowMs - new Date(entry.claim.at).getTime() < CLAIM_MS) {
      throw new TransientError('another worker is posting this run’s result', { context: { runId } });
    }
    const claimed: ResultEntry = {
      ...entry,
      claim: { holder, at: new Date(nowMs).toISOString() },
      attempts: entry.attempts + 1,
    };
    if (await deps.coordination.put(keyOf(runId), claimed, { ifVersion: record.version })) return entry;
  }
}

async function settle(deps: OutboxDeps, runId: string, change: Partial<ResultEntry>, dropClaim = true) {
  for (;;) {
    const record = await deps.coordination.get(keyOf(runId));
    if (!record) return;
    const { claim: held, ...entry } = parseEntry(record.value);
    const next = { ...entry, ...(dropClaim || !held ? {} : { claim: held }), ...change };
    if (await deps.coordination.put(keyOf(runId), next, { ifVersion: record.version })) return;
  }
}

async function plotOf(deps: OutboxDeps, entry: ResultEntry, title: string) {
  if (!entry.resultKey) return undefined;
  try {
    const result = await readResultAt(deps.blobs, entry.resultKey, entry.runId);
    const png = result && (await renderLossCurve(result.metrics, title));
    return png ? { png, title } : undefined;
  } catch (error) {
    deps.logger.warn({ err: error, runId: entry.runId }, 'loss curve not rendered');
    return undefined;
  }
}

/**
 * Post the run's result if it is recorded and not posted yet. Throws a transient error when it should be tried
 * again later (the caller releases its queue message); returns the entry's final state otherwise.
 */
export async function postRunResult(deps: OutboxDeps, runId: string): Promise<ResultEntry['state'] | 'none'> {
  const holder = randomUUID();
  const entry = await claim(deps, runId, holder);
  if (!entry) return (await outboxEntry(deps, runId))?.state ?? 'none';
  const log = deps.logger.child({ paperId: entry.paperId, runId });
  const paper = await deps.papers.get(entry.paperId);
  if (!paper) {
    await settle(deps, runId, { state: 'undeliverable', reason: 'the paper is gone' });
    return 'undeliverable';
  }
  try {
    // An earlier attempt may have posted and lost the answer (or died before recording it): adopt that post.
    if (entry.attempts > 0) {
      const found = await deps.reporter.findPosted(paper, runId, 'result').catch((error: unknown) => {
        log.warn({ err: error }, 'could not look for an earlier result post; posting');
        return undefined;
      });
      if (found) {
        await settle(deps, runId, { state: 'posted', ts: found });
        log.info({ ts: found }, 'run result found already posted; adopted');
        return 'posted';
      }
    }
    const ts = await postWithFallback(deps, paper, entry, log);
    await settle(
      deps,
      runId,
      ts === undefined ? { state: 'undeliverable', reason: 'Slack refused it' } : { state: 'posted', ts },
    );
    return ts === undefined ? 'undeliverable' : 'posted';
  } catch (error) {
    // Transient: leave it pending (unclaimed) for the next delivery, which looks for this attempt's post first.
    await settle(deps, runId, {});
    throw error;
  }
}

/** The full message; on a permanent refusal a plain line with the same outcome; undefined if both are refused. */
async function postWithFallback(
  deps: OutboxDeps,
  paper: NonNullable<Awaited<ReturnType<PaperStore['get']>>>,
  entry: ResultEntry,
  log: Logger,
): Promise<string | undefined> {
  try {
    const plot = await plotOf(deps, entry, `Loss curve · ${paper.title.slice(0, 60)}`);
    return await deps.reporter.finished(paper, entry.view, plot);
  } catch (error) {
    if (isTransient(error)) throw error;
    log.error({ err: error, status: entry.view.status }, 'run result refused by Slack; posting a plain line');
  }
  try {
    return await deps.reporter.finishedPlain(paper, entry.view);
  } catch (error) {
    if (isTransient(error)) throw error;
    log.error({ err: error, status: entry.view.status }, 'run result could not be posted at all');
    return undefined;
  }
}
