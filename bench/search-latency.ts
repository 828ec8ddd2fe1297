/**
 * `/paper search` and `/paper status` at 50,000 and 500,000 papers in the embedded store (issue 14). Per size,
 * two kinds of figure: the store's search alone, on a fresh connection with the product's settings (wall time
 * and CPU time per call, which a busy shared machine distorts less); and the whole command through the Slack
 * fake into the real app (`startSherpa`, the `npm start` boot path): slash command envelope in, ack, parse,
 * search on the store's worker thread, Block Kit answer out through `response_url`. The fake runs in the same
 * process, so its own HTTP work is included: a real Slack is cheaper for us.
 *
 * Targets (issue 14): `/paper search` p99 ≤ 100 ms at 50,000 papers and ≤ 250 ms at 500,000; `/paper status`
 * p99 ≤ 20 ms at 500,000. `BENCH_PAPERS` sets the first size, `BENCH_LARGE_PAPERS` the second (0 skips it);
 * `BENCH_SEED_CACHE=<dir>` keeps the seeded stores between runs.
 */
import { loadavg } from 'node:os';
import { openSherpaDatabase, SqlitePaperStore } from '../src/adapters/embedded/index.js';
import { parsePaperCommand } from '../src/commands/parse-paper-command.js';
import type { SearchQuery } from '../src/ports/paper-store.js';
import { startSherpa } from '../test/support/start-sherpa.js';
import { copyOfSeed, describeSamples, percentile, sharedSeed } from './support/seeded-store.js';

export const PAPERS = Number(process.env.BENCH_PAPERS ?? 50_000);
export const LARGE_PAPERS = Number(process.env.BENCH_LARGE_PAPERS ?? 500_000);
const STORE_ROUNDS = 240;
const COMMAND_ROUNDS = 200;
const STATUS_TARGET_MS = 20;

/** The search target for a store of this size: 100 ms up to 50,000 papers, 250 ms up to 500,000. */
function searchTargetMs(papers: number): number {
  return papers <= 50_000 ? 100 : 250;
}

/** What people type: common and rare words, filters with and without words, and a search that finds nothing. */
export const SEARCHES = [
  'search attention',
  'search sparse expert routing',
  'search kernel venue:iclr year:2024',
  'search quantization status:accepted',
  'search status:accepted year:2025',
  'search venue:mlsys',
  'search compiler3 memory12 latency',
  'search zebra giraffe',
];
/** The slowest forms: a word in every paper with a filter few papers pass, or one that most pass. */
const WORST_CASES = ['search attention status:succeeded', 'search attention venue:arxiv year:2023'];

function queryOf(text: string): SearchQuery {
  const parsed = parsePaperCommand(text);
  if (!parsed.ok || parsed.command.kind !== 'search') throw new Error(`not a search: ${text}`);
  return { text: parsed.command.text, ...parsed.command.filters, limit: 11 };
}

function verdict(label: string, p99: number, target: number): string {
  return `  target: ${label} p99 ≤ ${target} ms → ${p99.toFixed(1)} ms ${p99 <= target ? 'met' : 'NOT met'}`;
}

async function storeSearch(dataDir: string): Promise<void> {
  // In-thread on purpose: this times the query itself, without the hop to a worker.
  const store = new SqlitePaperStore(openSherpaDatabase({ dataDir }), { ownsDatabase: true });
  const texts = [...SEARCHES, ...WORST_CASES];
  const all: number[] = [];
  for (const text of texts) {
    const query = queryOf(text);
    await store.search(query); // warm the statement and the page cache
    const samples: number[] = [];
    const cpu = process.cpuUsage();
    for (let round = 0; round < STORE_ROUNDS / SEARCHES.length; round += 1) {
      const start = performance.now();
      await store.search(query);
      samples.push(performance.now() - start);
    }
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000 / samples.length;
    if (SEARCHES.includes(text)) all.push(...samples);
    console.log(`${describeSamples(`  store  ${text}`, samples)}  cpu ${cpuMs.toFixed(2)} ms/call`);
  }
  console.log(describeSamples('  store  all searches (worst cases excluded)', all));
  await store.close();
}

async function commands(dataDir: string, papers: number): Promise<void> {
  const sherpa = await startSherpa({ env: { DATA_DIR: dataDir }, logLevel: 'warn' });
  try {
    const ids = (await sherpa.deps.papers.listByState(['accepted', 'filtered'], { limit: 50 })).map(
      (paper) => paper.arxivId ?? paper.id,
    );
    const send = async (text: string) => {
      const start = performance.now();
      const sent = await sherpa.fake.sendSlashCommand('/paper', text);
      // Generous: the first search waits for the worker thread to start, which is slow on a loaded machine.
      await sherpa.fake.waitForCall('response_url', (c) => c.responseUrlId === sent.responseUrlId, {
        timeoutMs: 60_000,
      });
      const answered = performance.now() - start;
      return { answered, ack: (await sherpa.fake.waitForAck(sent.envelopeId)).latencyMs ?? Number.NaN };
    };
    // Warm-up: the search worker starts on the first search; the first commands compile the handlers.
    for (const text of [...SEARCHES, `status ${ids[0]}`]) await send(text);
    const search: number[] = [];
    const status: number[] = [];
    const acks: number[] = [];
    for (let round = 0; round < COMMAND_ROUNDS; round += 1) {
      const isStatus = round % 4 === 3;
      const text = isStatus
        ? `status ${ids[round % ids.length]}`
        : (SEARCHES[round % SEARCHES.length] as string);
      const { answered, ack } = await send(text);
      (isStatus ? status : search).push(answered);
      acks.push(ack);
    }
    console.log(describeSamples('  command /paper search → answer', search));
    console.log(describeSamples('  command /paper status → answer', status));
    console.log(describeSamples('  command ack', acks));
    const p99 = (values: number[]) =>
      percentile(
        [...values].sort((a, b) => a - b),
        99,
      );
    console.log(verdict(`/paper search at ${papers} papers`, p99(search), searchTargetMs(papers)));
    console.log(verdict(`/paper status at ${papers} papers`, p99(status), STATUS_TARGET_MS));
  } finally {
    await sherpa.stop();
  }
}

export async function run(): Promise<void> {
  for (const papers of [PAPERS, LARGE_PAPERS].filter((n) => n > 0)) {
    const seed = await sharedSeed(papers);
    const copy = copyOfSeed(seed);
    try {
      console.log(`${seed.papers} papers; load average ${loadavg()[0]?.toFixed(1)} on this machine`);
      await storeSearch(copy.dataDir);
      await commands(copy.dataDir, papers);
    } finally {
      copy.remove();
    }
  }
}
