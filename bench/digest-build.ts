/**
 * Building the daily digest and the App Home tab on 50,000 papers in the embedded store: the store reads
 * (`gatherDigest`: the day's activity, candidates, waiting papers, runs, spend) and the pure Block Kit build,
 * timed separately; the App Home's reads and build as well, since it is rebuilt on every open.
 */
import { loadavg } from 'node:os';
import {
  openSherpaDatabase,
  SqliteCostLedger,
  SqlitePaperStore,
  SqliteWorkQueue,
} from '../src/adapters/embedded/index.js';
import { loadConfig } from '../src/config/load-config.js';
import { digestMessage } from '../src/messages/digest-message.js';
import { gatherDigest } from '../src/digest/gather-digest.js';
import { CodegenJobSchema, JudgeJobSchema, RunJobSchema } from '../src/domain/jobs.js';
import { gatherHome } from '../src/home/gather-home.js';
import { createLogger } from '../src/logging/logger.js';
import type { HomeDeps } from '../src/home/gather-home.js';
import { homeView } from '../src/messages/home-view.js';
import type { ZodType } from 'zod';
import { copyOfSeed, describeSamples, sharedSeed } from './support/seeded-store.js';

const PAPERS = Number(process.env.BENCH_PAPERS ?? 50_000);
const ROUNDS = 30;

export async function run(): Promise<void> {
  const seed = await sharedSeed(PAPERS);
  console.log(
    `${seed.papers} papers (${seed.createdLastDay} in the last 24 h); load average ${loadavg()[0]?.toFixed(1)}`,
  );
  const copy = copyOfSeed(seed);
  const database = openSherpaDatabase({ dataDir: copy.dataDir });
  try {
    const clock = { now: () => seed.now };
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_APP_TOKEN: 'xapp-bench',
      SLACK_CHANNEL: 'C0BENCH0001',
      APPROVERS: 'U0APPROVER1',
      TIMEZONE: 'Europe/Berlin',
    });
    const queue = <T>(name: 'judge' | 'codegen' | 'run', schema: ZodType<T>) =>
      new SqliteWorkQueue<T>(database, { name, schema, clock });
    const deps: HomeDeps = {
      config,
      clock,
      logger: createLogger({ level: 'silent' }),
      papers: new SqlitePaperStore(database, { clock }),
      ledger: new SqliteCostLedger(database),
      queues: {
        judge: queue('judge', JudgeJobSchema),
        codegen: queue('codegen', CodegenJobSchema),
        run: queue('run', RunJobSchema),
      },
    };

    const gather: number[] = [];
    const build: number[] = [];
    const total: number[] = [];
    let blocks = 0;
    let summary = '';
    for (let round = 0; round < ROUNDS; round += 1) {
      const start = performance.now();
      const data = await gatherDigest(deps);
      const gathered = performance.now();
      const message = digestMessage(data);
      const built = performance.now();
      gather.push(gathered - start);
      build.push(built - gathered);
      total.push(built - start);
      blocks = message.blocks.length;
      summary = message.text;
    }
    console.log(describeSamples('  digest: read the stores (gatherDigest)', gather));
    console.log(describeSamples('  digest: build Block Kit (digestMessage)', build));
    console.log(describeSamples('  digest: total', total));
    console.log(`  digest: ${blocks} blocks — ${summary}`);

    const home: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const start = performance.now();
      homeView(await gatherHome(deps));
      home.push(performance.now() - start);
    }
    console.log(describeSamples('  App Home: read + build', home));
  } finally {
    database.close();
    copy.remove();
  }
}
