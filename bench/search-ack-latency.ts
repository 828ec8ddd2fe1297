/**
 * Acks while searches run (issue 14, item 3): better-sqlite3 is synchronous, so a search on the main thread
 * holds the event loop that must ack every other user's command. The real app (`startSherpa`, the `npm start`
 * boot path) on the large seeded store acks a `/paper help` every few milliseconds, four ways in one run:
 * nothing else running; `/paper search` commands kept in flight with the store's searches on its worker thread
 * (the product); digests gathered one after another (their store reads on the worker too); and searches on the
 * main thread (what the product did before issue 14), for comparison.
 *
 * Target: the ack p99 while searches or digests run stays within 1.5× the quiet p99 (the slack a shared 2-core
 * machine needs: the worker's CPU comes from the same two cores, and the answers are still built here).
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSherpaDatabase, SqlitePaperStore } from '../src/adapters/embedded/index.js';
import { gatherDigest } from '../src/digest/gather-digest.js';
import type { PaperStore, SearchQuery } from '../src/ports/paper-store.js';
import { startSherpa } from '../test/support/start-sherpa.js';
import { LARGE_PAPERS, PAPERS, SEARCHES } from './search-latency.js';
import { profileWhile, saveProfile } from './support/cpu-profile.js';
import { longTasks, summariseLongTasks } from './support/long-tasks.js';
import { copyOfSeed, describeSamples, percentile, sharedSeed } from './support/seeded-store.js';

const PROBES = 150;
const PROBE_INTERVAL_MS = 10;
/** Search commands kept in flight while probing. */
const SEARCHERS = 2;
const TARGET_RATIO = 1.5;
/** `BENCH_PROFILE=<prefix>`: profile each phase, list its long main-thread tasks, save `<prefix>-<phase>.cpuprofile`. */
const PROFILE = process.env.BENCH_PROFILE;
/**
 * A phase probes until this many searches or digests are done too (and at least PROBES acks): on a busy machine
 * a digest can take seconds on the low-priority worker, and a phase that ends before its main-thread part runs
 * measures nothing.
 */
const MIN_DONE = { searches: 20, digests: 5 };

type Harness = Awaited<ReturnType<typeof startSherpa>>;

/** Ack latency of `/paper help` commands sent every few ms, while `background` runs until they are all acked. */
async function probeAcks(
  sherpa: Harness,
  background?: (stop: () => boolean) => Promise<void>,
  enough: () => boolean = () => true,
) {
  let done = false;
  const running = background?.(() => done);
  const acks: Promise<number>[] = [];
  for (let i = 0; i < PROBES || !enough(); i += 1) {
    const sent = await sherpa.fake.sendSlashCommand('/paper', 'help');
    acks.push(sherpa.fake.waitForAck(sent.envelopeId, { timeoutMs: 30_000 }).then((a) => a.latencyMs ?? NaN));
    await sleep(PROBE_INTERVAL_MS);
  }
  const latencies = await Promise.all(acks);
  done = true;
  await running;
  return latencies;
}

/** `SEARCHERS` loops, each sending the next search as soon as the previous one is answered. */
function searching(sherpa: Harness, answered: number[]) {
  return async (stop: () => boolean) => {
    await Promise.all(
      Array.from({ length: SEARCHERS }, async (_, loop) => {
        for (let i = loop; !stop(); i += SEARCHERS) {
          const start = performance.now();
          const sent = await sherpa.fake.sendSlashCommand('/paper', SEARCHES[i % SEARCHES.length] as string);
          await sherpa.fake.waitForCall('response_url', (c) => c.responseUrlId === sent.responseUrlId, {
            timeoutMs: 60_000,
          });
          answered.push(performance.now() - start);
        }
      }),
    );
  };
}

/** The digest's reads (what `/paper digest` and the daily job gather), one after another. */
function digesting(sherpa: Harness, built: number[]) {
  return async (stop: () => boolean) => {
    while (!stop()) {
      const start = performance.now();
      await gatherDigest(sherpa.deps);
      built.push(performance.now() - start);
    }
  };
}

async function phase(label: string, sherpa: Harness, work?: 'searches' | 'digests'): Promise<number> {
  const done: number[] = [];
  const background =
    work === 'searches' ? searching(sherpa, done) : work === 'digests' ? digesting(sherpa, done) : undefined;
  const probe = () => probeAcks(sherpa, background, () => !work || done.length >= MIN_DONE[work]);
  const acks = PROFILE ? await profiled(label, probe) : await probe();
  console.log(describeSamples(`  ack /paper help, ${label}`, acks));
  if (work) console.log(describeSamples(`    (${done.length} ${work} done)`, done));
  return percentile(
    [...acks].sort((a, b) => a - b),
    99,
  );
}

/** The phase under the CPU profiler (100 µs samples), its main-thread tasks over 1 ms listed by cause. */
async function profiled(label: string, probe: () => Promise<number[]>): Promise<number[]> {
  const { result, profile } = await profileWhile(probe, 100);
  const tasks = longTasks(profile, 1);
  const busyMs = tasks.reduce((sum, task) => sum + task.ms, 0);
  console.log(`  main-thread tasks over 1 ms, ${label}: ${tasks.length} (${busyMs.toFixed(0)} ms in all)`);
  for (const line of summariseLongTasks(tasks).slice(0, 12)) console.log(`    ${line}`);
  if (PROFILE) saveProfile(`${PROFILE}-${label.replace(/\W+/g, '-')}.cpuprofile`, profile);
  return result;
}

/** The app's store, except that `search` goes to `here` while `useHere()` says so. */
function searchingFrom(papers: PaperStore, here: PaperStore, useHere: () => boolean): PaperStore {
  return new Proxy(papers, {
    get(target, key) {
      if (key === 'search') return (query: SearchQuery) => (useHere() ? here : target).search(query);
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function run(): Promise<void> {
  const seed = await sharedSeed(LARGE_PAPERS > 0 ? LARGE_PAPERS : PAPERS);
  const copy = copyOfSeed(seed);
  let inThread: PaperStore | undefined;
  // Only `search` goes to the in-thread store, and only when asked: the "before" reference.
  let searchHere = false;
  const sherpa = await startSherpa({
    env: { DATA_DIR: copy.dataDir },
    logLevel: 'warn',
    decorateDeps: (deps) => {
      const here = new SqlitePaperStore(openSherpaDatabase({ dataDir: copy.dataDir }), {
        ownsDatabase: true,
      });
      inThread = here;
      return { ...deps, papers: searchingFrom(deps.papers, here, () => searchHere) };
    },
  });
  try {
    console.log(`${seed.papers} papers; load average ${loadavg()[0]?.toFixed(1)} on this machine`);
    // Warm-up: the worker starts on the first search, the handlers compile, the page cache fills.
    for (const text of SEARCHES) {
      const sent = await sherpa.fake.sendSlashCommand('/paper', text);
      await sherpa.fake.waitForCall('response_url', (c) => c.responseUrlId === sent.responseUrlId, {
        timeoutMs: 60_000,
      });
    }
    await probeAcks(sherpa);
    const quiet = await phase('nothing else running', sherpa);
    const searches = await phase('searches on the worker thread', sherpa, 'searches');
    const digests = await phase('digests built (reads on the worker)', sherpa, 'digests');
    searchHere = true;
    const before = await phase('searches on the main thread (before)', sherpa, 'searches');
    const ratio = (p99: number) => `${p99.toFixed(1)} ms (${(p99 / quiet).toFixed(2)}×)`;
    for (const [label, p99] of [
      ['searches', searches],
      ['digests', digests],
    ] as const) {
      console.log(
        `  target: ack p99 while ${label} run ≤ ${TARGET_RATIO}× quiet (${quiet.toFixed(1)} ms) → ${ratio(p99)} ` +
          (p99 <= TARGET_RATIO * quiet ? 'met' : 'NOT met'),
      );
    }
    console.log(`  for comparison, searches on the main thread: ${ratio(before)}`);
  } finally {
    await sherpa.stop();
    await inThread?.close();
    copy.remove();
  }
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
