/**
 * Embedded PaperStore at scale: ingest 50,000 papers into a fresh SQLite file, then time the reads a Slack
 * command does (`/paper search`, `/paper status`, App Home counts) and the judge's similarity lookup.
 * Targets (issue 14): search p99 ≤ 100 ms at 50,000 papers (≤ 250 ms at 500,000), status p99 ≤ 20 ms. The
 * store runs in-thread here: this times the queries themselves (the app runs searches on a worker thread).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSherpaDatabase, SqlitePaperStore } from '../src/adapters/embedded/index.js';
import type { ScrapedPaper } from '../src/domain/paper.js';

const PAPERS = Number(process.env.BENCH_PAPERS ?? 50_000);
const ROUNDS = 200;

const STEMS = (
  'attention transformer sparse expert routing quantization pruning distillation diffusion kernel tensor ' +
  'parallel pipeline memory bandwidth compiler graph neural language vision speech reinforcement policy ' +
  'gradient optimizer adam momentum scaling law token embedding retrieval contrastive federated privacy ' +
  'robust adversarial benchmark dataset inference latency throughput accelerator trainium systolic cache'
).split(' ');

/** Deterministic pseudo-random numbers (mulberry32), so runs compare. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ~4,000 terms drawn with a Zipf law, as words in real abstracts are: a few very common, most rare. */
const VOCABULARY = STEMS.flatMap((stem) =>
  Array.from({ length: 80 }, (_, i) => (i === 0 ? stem : `${stem}${i}`)),
);
const ZIPF_CUMULATIVE = (() => {
  let total = 0;
  const cumulative = VOCABULARY.map((_, rank) => (total += 1 / (rank + 1)));
  return cumulative.map((value) => value / total);
})();

function syntheticPaper(index: number, next: () => number): ScrapedPaper {
  const word = () => {
    const draw = next();
    let low = 0;
    let high = ZIPF_CUMULATIVE.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((ZIPF_CUMULATIVE[mid] as number) < draw) low = mid + 1;
      else high = mid;
    }
    return VOCABULARY[low] as string;
  };
  const words = (n: number) => Array.from({ length: n }, word).join(' ');
  const venues = ['ICLR', 'ICML', 'NeurIPS', 'MLSys', 'arXiv'];
  const venue = venues[index % venues.length] as string;
  return {
    source: venue === 'arXiv' ? 'arxiv' : 'openreview',
    sourceId: venue === 'arXiv' ? `2501.${String(index).padStart(5, '0')}` : `note${index}`,
    title: `${words(8)} ${index}`,
    authors: [`Author ${index % 997}`, `Author ${(index * 7) % 991}`],
    abstract: words(160),
    venue,
    year: 2022 + (index % 4),
    presentation: venue === 'arXiv' ? 'preprint' : 'poster',
    categories: [],
    keywords: [],
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Issue 14: `/paper search` p99 ≤ 100 ms up to 50,000 papers, ≤ 250 ms up to 500,000; status ≤ 20 ms. */
const SEARCH_TARGET_MS = PAPERS <= 50_000 ? 100 : 250;
const STATUS_TARGET_MS = 20;

/**
 * Wall time per call (p50/p99/max) and mean CPU time, which a busy shared machine distorts less; with a target,
 * whether the p99 meets it.
 */
async function time(label: string, work: (i: number) => Promise<unknown>, targetMs?: number): Promise<void> {
  const samples: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i += 1) {
    const start = performance.now();
    await work(i);
    samples.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000 / ROUNDS;
  samples.sort((a, b) => a - b);
  const [p50, p99, max] = [percentile(samples, 50), percentile(samples, 99), samples.at(-1) as number];
  console.log(
    `${label.padEnd(34)} p50 ${p50.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms  max ${max.toFixed(2)} ms  ` +
      `cpu ${cpuMs.toFixed(2)} ms/call` +
      (targetMs === undefined ? '' : `  target p99 ≤ ${targetMs} ms: ${p99 <= targetMs ? 'met' : 'NOT met'}`),
  );
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sherpa-bench-'));
  try {
    const store = new SqlitePaperStore(openSherpaDatabase({ dataDir: dir }), { ownsDatabase: true });
    const next = random(42);
    const ids: string[] = [];
    const ingestStart = performance.now();
    const ingestCpu = process.cpuUsage();
    // Pages of 500 in one transaction each, as a scrape stores them (PaperStore.ingestMany).
    for (let start = 0; start < PAPERS; start += 500) {
      const page = Array.from({ length: Math.min(500, PAPERS - start) }, (_, k) => ({
        paper: syntheticPaper(start + k, next),
      }));
      for (const outcome of await store.ingestMany(page)) ids.push(outcome.paper.id);
    }
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    const cpu = process.cpuUsage(ingestCpu);
    console.log(
      `ingest ${PAPERS} papers in pages of 500: ${ingestSeconds.toFixed(1)} s wall ` +
        `(${Math.round(PAPERS / ingestSeconds)}/s), ${((cpu.user + cpu.system) / 1000 / PAPERS).toFixed(2)} ms CPU/paper`,
    );
    for (let i = 0; i < PAPERS; i += 97) {
      await store.transition({ paperId: ids[i] as string, from: 'scraped', to: 'accepted', actor: 'bench' });
    }

    const term = (i: number) => VOCABULARY[(i * 37) % 400] as string;
    await time('search one common word', (i) => store.search({ text: term(i) }), SEARCH_TARGET_MS);
    await time(
      'search three words',
      (i) => store.search({ text: `${term(i)} ${term(i + 7)} ${term(i + 13)}` }),
      SEARCH_TARGET_MS,
    );
    await time(
      'search + venue/year/state filters',
      (i) => store.search({ text: term(i), venue: 'iclr', year: 2024, state: 'accepted' }),
      SEARCH_TARGET_MS,
    );
    await time(
      'search, filters only',
      () => store.search({ text: '', state: 'accepted', year: 2025 }),
      SEARCH_TARGET_MS,
    );
    await time('search, no word matches', () => store.search({ text: 'zebra giraffe' }), SEARCH_TARGET_MS);
    await time('similar (abstract of a paper)', (i) =>
      store.similar(syntheticPaper(i, random(i)).abstract, { limit: 5, excludeId: ids[i] as string }),
    );
    await time(
      'status: findBySourceKey',
      (i) => store.findBySourceKey(`arxiv:2501.${String(i * 5 + 4).padStart(5, '0')}`),
      STATUS_TARGET_MS,
    );
    await time('countByState', () => store.countByState());
    await time('listByState accepted (limit 50)', () => store.listByState(['accepted'], { limit: 50 }));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
