/**
 * A realistic embedded store for the benchmarks: N synthetic papers (Zipf-distributed words, as in real
 * abstracts) created over the past year, most filtered by the pre-filter, some judged, a few accepted with
 * threads, runs and code, and a cost ledger with a year of LLM and instance entries. Written through the real
 * ports (PaperStore, CostLedger) so the data has the shape production writes.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSherpaDatabase, SqliteCostLedger, SqlitePaperStore } from '../../src/adapters/embedded/index.js';
import type { PaperState } from '../../src/domain/paper-state.js';
import type { Paper, ScrapedPaper } from '../../src/domain/paper.js';
import type { Verdict } from '../../src/domain/verdict.js';
import type { Clock } from '../../src/ports/clock.js';

const STEMS = (
  'attention transformer sparse expert routing quantization pruning distillation diffusion kernel tensor ' +
  'parallel pipeline memory bandwidth compiler graph neural language vision speech reinforcement policy ' +
  'gradient optimizer adam momentum scaling law token embedding retrieval contrastive federated privacy ' +
  'robust adversarial benchmark dataset inference latency throughput accelerator trainium systolic cache'
).split(' ');

/** ~4,000 terms; the first of each stem is the plain word, so queries can use real words. */
export const VOCABULARY = STEMS.flatMap((stem) =>
  Array.from({ length: 80 }, (_, i) => (i === 0 ? stem : `${stem}${i}`)),
);
const CUMULATIVE = (() => {
  let total = 0;
  const values = VOCABULARY.map((_, rank) => (total += 1 / (rank + 1)));
  return values.map((value) => value / total);
})();

/** Deterministic pseudo-random numbers (mulberry32), so runs compare. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function words(next: () => number, n: number): string {
  const out: string[] = [];
  for (let k = 0; k < n; k += 1) {
    const draw = next();
    let low = 0;
    let high = CUMULATIVE.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((CUMULATIVE[mid] as number) < draw) low = mid + 1;
      else high = mid;
    }
    out.push(VOCABULARY[low] as string);
  }
  return out.join(' ');
}

const VENUES = ['ICLR', 'ICML', 'NeurIPS', 'MLSys', 'arXiv', 'arXiv', 'arXiv'];

function syntheticPaper(index: number, next: () => number): ScrapedPaper {
  const venue = VENUES[index % VENUES.length] as string;
  const arxiv = venue === 'arXiv';
  // A real arXiv id (YYMM.NNNNN, 2024–2025) unique for up to 600,000 papers: five digits cannot hold the index
  // past 99,999, so each block of 100,000 moves to other months (v1 gave six digits there, which /paper rejects).
  const block = Math.floor(index / 100_000);
  const slot = (block * 4 + (index % 4)) % 24;
  const yymm = `${24 + Math.floor(slot / 12)}${String((slot % 12) + 1).padStart(2, '0')}`;
  const arxivId = `${yymm}.${String(index % 100_000).padStart(5, '0')}`;
  return {
    source: arxiv ? 'arxiv' : venue === 'MLSys' ? 'mlsys' : 'openreview',
    sourceId: arxiv ? arxivId : `note${index}`,
    title: `${words(next, 8)} ${index}`,
    authors: [`Author ${index % 997}`, `Author ${(index * 7) % 991}`],
    abstract: words(next, 160),
    venue,
    year: 2022 + (index % 4),
    presentation: arxiv ? 'preprint' : 'poster',
    ...(arxiv
      ? { arxivId, pdfUrl: `https://arxiv.org/pdf/${arxivId}` }
      : { forumUrl: `https://openreview.net/forum?id=note${index}` }),
    categories: [],
    keywords: [],
  };
}

class SettableClock implements Clock {
  constructor(public at: Date) {}
  now(): Date {
    return this.at;
  }
}

export interface SeededStore {
  dataDir: string;
  papers: number;
  /** Papers created in the 24 h before `now`. */
  createdLastDay: number;
  ingestSeconds: number;
  now: Date;
}

const DAY = 86_400_000;

function verdict(decidedBy: Verdict['decidedBy'], judgedAt: string, next: () => number): Verdict {
  return {
    decidedBy,
    prefilterScore: next(),
    ...(decidedBy === 'llm'
      ? {
          relevance: 1 + Math.floor(next() * 10),
          novelty: 1 + Math.floor(next() * 10),
          feasibility: { verdict: next() < 0.7 ? 'yes' : 'unclear', reason: 'Standard layers.' },
          modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
        }
      : {}),
    rationale: 'Synthetic verdict for the benchmark.',
    comparedWith: [],
    judgedAt,
  };
}

/**
 * Ingest `count` papers into `dataDir`, one creation time per paper spread evenly over the 365 days before
 * `now` (so about count/365 arrive in the digest's last 24 h), then judge them as Sherpa would: 60 % filtered,
 * 30 % turned down, 10 % accepted; one accepted paper in five has a thread, and some of those code and runs.
 */
export async function seedStore(dataDir: string, count: number, now = new Date()): Promise<SeededStore> {
  const clock = new SettableClock(now);
  const database = openSherpaDatabase({ dataDir });
  // Seeding only: no fsync per write, and a thousand papers per transaction (the store's own transactions
  // nest as savepoints). What is measured later runs on a fresh connection with the product's settings.
  database.connection.pragma('synchronous = OFF');
  const papers = new SqlitePaperStore(database, { clock });
  const ledger = new SqliteCostLedger(database);
  const next = random(42);
  const started = performance.now();
  let createdLastDay = 0;
  for (let i = 0; i < count; i += 1) {
    if (i % 1000 === 0) {
      if (database.connection.inTransaction) database.connection.exec('COMMIT');
      database.connection.exec('BEGIN');
    }
    const created = new Date(now.getTime() - ((count - i) / count) * 365 * DAY);
    if (now.getTime() - created.getTime() <= DAY) createdLastDay += 1;
    clock.at = created;
    const { paper } = await papers.ingest(syntheticPaper(i, next));
    const judgedAt = new Date(created.getTime() + 30 * 60_000);
    clock.at = judgedAt;
    const roll = next();
    const to: PaperState = roll < 0.6 ? 'filtered' : roll < 0.9 ? 'judge_rejected' : 'accepted';
    await papers.transition({
      paperId: paper.id,
      from: 'scraped',
      to,
      actor: 'system:judge',
      patch: { verdict: verdict(to === 'filtered' ? 'prefilter' : 'llm', judgedAt.toISOString(), next) },
    });
    if (to === 'filtered') continue;
    await ledger.record({
      at: judgedAt.toISOString(),
      paperId: paper.id,
      kind: 'llm',
      resource: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      purpose: 'judge',
      inputTokens: 900,
      outputTokens: 120,
      usd: 0.0015,
    });
    if (to === 'accepted' && next() < 0.2) await advance(papers, ledger, clock, paper, judgedAt, next);
  }
  if (database.connection.inTransaction) database.connection.exec('COMMIT');
  // A store kept for years has merged its index between writes. Seeded in one go, the merging waited for the
  // end (this loop never yields): finish it, so that what is measured later does not pay a seed's merge debt.
  await papers.merged();
  await papers.close();
  database.close();
  return { dataDir, papers: count, createdLastDay, ingestSeconds: (performance.now() - started) / 1000, now };
}

/** Give an accepted paper a thread, and (half of them) code and a finished run with its instance time. */
async function advance(
  papers: SqlitePaperStore,
  ledger: SqliteCostLedger,
  clock: SettableClock,
  paper: Paper,
  at: Date,
  next: () => number,
): Promise<void> {
  await papers.update(paper.id, {
    thread: { channel: 'C0BENCH0001', ts: `${Math.floor(at.getTime() / 1000)}.000100` },
  });
  if (next() < 0.5) return;
  clock.at = new Date(at.getTime() + 3_600_000);
  await papers.transition({
    paperId: paper.id,
    from: 'accepted',
    to: 'code_requested',
    actor: 'U0APPROVER1',
  });
  const hash = `${paper.id.slice(2)}${'0'.repeat(52)}`;
  await papers.transition({
    paperId: paper.id,
    from: 'code_requested',
    to: 'code_ready',
    actor: 'system:codegen',
    artifactHash: hash,
    patch: { currentCodeHash: hash },
  });
  if (next() < 0.5) return;
  const started = new Date(at.getTime() + 2 * 3_600_000);
  const finished = new Date(started.getTime() + 9 * 60_000);
  clock.at = finished;
  const succeeded = next() < 0.7;
  await papers.transition({
    paperId: paper.id,
    from: 'code_ready',
    to: 'run_approved',
    actor: 'U0APPROVER1',
    artifactHash: hash,
  });
  await papers.transition({
    paperId: paper.id,
    from: 'run_approved',
    to: 'queued',
    actor: 'system:run-queue',
  });
  await papers.transition({ paperId: paper.id, from: 'queued', to: 'running', actor: 'system:run-worker' });
  await papers.transition({
    paperId: paper.id,
    from: 'running',
    to: succeeded ? 'succeeded' : 'failed',
    actor: 'system:run-worker',
    patch: {
      runs: [
        {
          runId: `run-${paper.id}`,
          codeHash: hash,
          status: succeeded ? 'succeeded' : 'failed',
          queuedAt: started.toISOString(),
          startedAt: started.toISOString(),
          finishedAt: finished.toISOString(),
          instanceId: 'i-0123456789abcdef0',
          ...(succeeded ? { headline: { name: 'loss', value: 1 + next() } } : { failureClass: 'timeout' }),
        },
      ],
    },
  });
  await ledger.record({
    at: finished.toISOString(),
    paperId: paper.id,
    runId: `run-${paper.id}`,
    kind: 'instance',
    resource: 'i-0123456789abcdef0',
    purpose: 'run',
    seconds: 540,
    usd: 0.2,
  });
}

const seeds = new Map<number, Promise<SeededStore>>();

/**
 * One seeded store per size for the whole `npm run bench` process (seeding 50,000 papers takes minutes on a
 * small machine), removed when the process exits. Each benchmark works on its own copy (`copyOfSeed`).
 */
export function sharedSeed(count: number): Promise<SeededStore> {
  let seed = seeds.get(count);
  if (!seed) {
    const cache = process.env.BENCH_SEED_CACHE;
    seed = cache ? cachedSeed(cache, count) : seedStore(temporarySeedDir(count), count);
    seeds.set(count, seed);
  }
  return seed;
}

function temporarySeedDir(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), `sherpa-bench-seed-${count}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Bump when `seedStore` writes different data, so a cached seed of the old shape is not reused. */
const SEED_VERSION = 4;

/**
 * `BENCH_SEED_CACHE=<dir>` keeps each seeded store between runs (seeding 500,000 papers takes many minutes on
 * a small machine): `<dir>/seed-<count>-v<version>/` with `seed.json` written once the seed is complete.
 */
async function cachedSeed(cache: string, count: number): Promise<SeededStore> {
  const dataDir = join(cache, `seed-${count}-v${SEED_VERSION}`);
  const meta = join(dataDir, 'seed.json');
  if (existsSync(meta)) {
    const saved = JSON.parse(readFileSync(meta, 'utf8')) as Omit<SeededStore, 'now'> & { now: string };
    return { ...saved, dataDir, now: new Date(saved.now) };
  }
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const seed = await seedStore(dataDir, count);
  writeFileSync(meta, JSON.stringify(seed));
  return seed;
}

/** A private copy of the seeded database (closed and checkpointed, so `sherpa.db` is the whole of it). */
export function copyOfSeed(seed: SeededStore): { dataDir: string; remove(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'sherpa-bench-'));
  copyFileSync(join(seed.dataDir, 'sherpa.db'), join(dataDir, 'sherpa.db'));
  return { dataDir, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** Sorted-sample percentile (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function describeSamples(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(2)} ms`;
  return `${label.padEnd(44)} p50 ${f(percentile(sorted, 50)).padStart(10)}  p99 ${f(percentile(sorted, 99)).padStart(10)}  max ${f(sorted.at(-1) ?? Number.NaN).padStart(10)}`;
}
