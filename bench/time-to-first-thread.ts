/**
 * Time to the first thread (issue 11, item 6): `/scrape iclr 2025` of a 60-paper venue sent through the Slack
 * fake into the real app (same boot path as `npm start`, embedded store in a temp dir), the listing from a
 * loopback OpenReview, the judge on the loopback Bedrock fake answering after 300 ms, and the time from the
 * command to the first thread root in the channel. Target: at most 30 s. Before threads were posted at the end
 * of each judge round this waited for the poster's 5-minute timer (305 s measured in the issue).
 *
 * Three runs, each on a fresh app and store; the fake and the app share one process, so the figure includes the
 * fake's own work. Also reports the process CPU time per run, which the shared machine's load disturbs less.
 */
import { availableParallelism, loadavg } from 'node:os';
import { startScrapeToThread } from '../test/support/scrape-to-thread.js';

const PAPERS = 60;
const MODEL_LATENCY_MS = 300;
const RUNS = 3;
const TARGET_MS = 30_000;

export async function run(): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const scrape = await startScrapeToThread({ papers: PAPERS, modelLatencyMs: MODEL_LATENCY_MS });
    try {
      const cpu = process.cpuUsage();
      const { ms } = await scrape.firstThread({ timeoutMs: 10 * 60_000 });
      const used = process.cpuUsage(cpu);
      times.push(ms);
      const judgeCalls = scrape.bedrock.requests.length;
      console.log(
        `run ${i + 1}: first thread root ${(ms / 1000).toFixed(2)} s after /scrape ` +
          `(${judgeCalls} judge calls by then, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms)`,
      );
    } finally {
      await scrape.stop();
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const worst = sorted.at(-1) as number;
  console.log(
    `${PAPERS}-paper venue, model latency ${MODEL_LATENCY_MS} ms: median ${(median / 1000).toFixed(2)} s, ` +
      `worst ${(worst / 1000).toFixed(2)} s to the first thread root`,
  );
  console.log(
    `machine: ${availableParallelism()} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1/5/15 min)`,
  );
  console.log(
    `target ≤ ${TARGET_MS / 1000} s: ${worst <= TARGET_MS ? 'met' : 'MISSED'} (worst ${(worst / 1000).toFixed(2)} s)`,
  );
}

// `npx tsx bench/time-to-first-thread.ts` runs this one alone; bench/index.ts imports it with the others.
if (import.meta.url === `file://${process.argv[1]}`) await run();
