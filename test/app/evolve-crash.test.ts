import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until as untilEvery } from '../support/message-probes.js';
import {
  FileBlobStore,
  openSherpaDatabase,
  SqlitePaperStore,
  SqliteSearchStore,
  SqliteWorkQueue,
} from '../../src/adapters/embedded/index.js';
import { SlackChat } from '../../src/adapters/slack/index.js';
import { EvolveSearchSchema } from '../../src/domain/evolve-search.js';
import { EvolveJobSchema } from '../../src/domain/jobs.js';
import { sendEvolveJob } from '../../src/evolve/send-evolve-job.js';
import { createLogger } from '../../src/logging/logger.js';
import { EVOLVE_SCRIPT, variantResponder } from '../support/evolve-e2e.js';
import { startFakeBedrock, type FakeBedrock, type RecordedConverse } from '../support/fake-bedrock.js';
import { writeFakeNeuronProfile } from '../support/fake-neuron-tools.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';
import { openTempDir } from '../runner/runner-cli.js';

const ROOT = new URL('../..', import.meta.url).pathname;
/** What `npm start` runs (package.json `scripts.start`): the built bot. */
const [, ...START_ARGS] = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start.split(' ');
const SANDBOX =
  process.getuid?.() === 0 ? { SHERPA_SANDBOX_USER: 'nobody', SHERPA_PYTHON: '/usr/bin/python3' } : {};

/**
 * Issue 13, item 7 and "Done when", for real: Sherpa runs as a child process (what `npm start` runs) and drives
 * a confirmed 3-variant, 2-generation search; while generation 2's proposal call is in flight, the process is
 * killed with SIGKILL. A new Sherpa on the same DATA_DIR gets the search's queue message once its visibility
 * runs out and resumes it: no variant of generation 1 runs again, the cut call is made again and counted
 * (exactly once, or visibly not), and the thread keeps its one leaderboard message.
 */
describe('an evolve search after a kill -9 of the bot', () => {
  let fake: SlackFake | undefined;
  let bedrock: FakeBedrock | undefined;
  let sherpa: SherpaHarness | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'sherpa-evolve-crash-'));
  let tools: string | undefined;
  const saved = { ...process.env };
  afterAll(async () => {
    await sherpa?.stop();
    await bedrock?.close();
    await fake?.close();
    process.env = saved;
    rmSync(dataDir, { recursive: true, force: true });
    if (tools) rmSync(tools, { recursive: true, force: true });
  });

  it('resumes where it stopped without running any variant twice', async () => {
    chmodSync(dataDir, 0o755);
    tools = await openTempDir();
    const bin = await writeFakeNeuronProfile(tools);
    fake = await startSlackFake();
    bedrock = await startFakeBedrock();
    // Generation 1 keeps LR 0.9; the process dies during generation 2's call (held until then); the new
    // process's call gets generation 2's answer.
    const proposals = variantResponder([
      [0.9, 0.2, 0.3],
      [0.7, 0.8, 0.6],
      [0.7, 0.8, 0.6],
    ]);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    bedrock.respondWith(async (request: RecordedConverse) => {
      if (bedrock?.requests.length === 2) await held;
      return proposals(request);
    });

    // A paper with its thread and a confirmed search on the evolve queue, in the DATA_DIR both processes use.
    const channel = fake.identity.defaultChannel;
    const chat = new SlackChat({
      token: fake.identity.botToken,
      apiUrl: fake.apiUrl,
      logger: createLogger({ level: 'silent' }),
      retryConfig: { retries: 0 },
    });
    const thread = { channel, ts: (await chat.post({ channel, text: 'A paper' })).ts };
    const database = openSherpaDatabase({ dataDir });
    const paper = await seedCodeReadyPaper(
      { papers: new SqlitePaperStore(database), blobs: new FileBlobStore(join(dataDir, 'blobs')) },
      0,
      { code: EVOLVE_SCRIPT, thread },
    );
    const at = new Date().toISOString();
    const { search } = await new SqliteSearchStore(database).create(
      EvolveSearchSchema.parse({
        id: 's_crash0000001',
        paperId: paper.id,
        version: 1,
        state: 'confirmed',
        generation: 0,
        settings: {
          variants: 3,
          generations: 2,
          minutes: 1,
          smokeSeconds: 30,
          maxUsd: 1,
          objective: { metric: 'val_loss', direction: 'min' },
          target: 'neuron',
          seed: 1234,
          startRepeats: 0,
        },
        origin: { codeHash: paper.currentCodeHash, metric: 0.1979 },
        parentHash: paper.currentCodeHash,
        requestedBy: TEST_APPROVER,
        confirmedBy: TEST_APPROVER,
        thread,
        createdAt: at,
        updatedAt: at,
      }),
    );
    await sendEvolveJob(
      { queues: { evolve: new SqliteWorkQueue(database, { name: 'evolve', schema: EvolveJobSchema }) } },
      search,
    );
    database.close();

    const env = {
      ...fake.env(),
      ...SANDBOX,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? tmpdir(),
      SHERPA_ENV_FILE: '/nonexistent/.env',
      APPROVERS: TEST_APPROVER,
      DATA_DIR: dataDir,
      LOG_FORMAT: 'json',
      TIMEZONE: 'UTC',
      COMPUTE: 'local',
      RUNNER_BACKEND: 'neuron',
      EVOLVE_VISIBILITY_SECONDS: '5',
      OPENREVIEW_API_URL: 'http://127.0.0.1:9',
      ARXIV_API_URL: 'http://127.0.0.1:9/api/query',
      MLSYS_PROCEEDINGS_URL: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    // `npm start` runs the build (prestart, --if-stale) and then dist/: so does this test.
    execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'ignore' });
    const child = spawn(process.execPath, START_ARGS, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let errors = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    let alive = true;
    const exited = new Promise((resolve) => child.on('exit', resolve)).finally(() => (alive = false));
    try {
      await until(
        'generation 2’s proposal call',
        () => {
          if (!alive) throw new Error(`Sherpa exited early:\n${errors.slice(-2000)}\n${output.slice(-2000)}`);
          return (bedrock?.requests.length ?? 0) >= 2;
        },
        150_000,
      );
    } finally {
      if (child.pid && alive) process.kill(-child.pid, 'SIGKILL');
    }
    await exited;
    release();
    const firstRuns = output
      .split('\n')
      .filter((line) => line.includes('runner started on this host'))
      .map((line) => String((JSON.parse(line) as { runId: string }).runId));
    // Generation 1 ran in the killed process: 3 children (each with its smoke gate inside) and the parent.
    expect(firstRuns.filter((id) => id.startsWith(`${search.id}.g1.`))).toHaveLength(4);

    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = bedrock.url;
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
    process.env.AWS_REGION = 'us-east-1';
    Object.assign(process.env, SANDBOX, { PATH: env.PATH });
    sherpa = await startSherpa({
      fake,
      env: { DATA_DIR: dataDir, COMPUTE: 'local', RUNNER_BACKEND: 'neuron', EVOLVE_VISIBILITY_SECONDS: '5' },
    });
    const searches = sherpa.deps.searches!;
    const done = await until(
      'the resumed search to finish',
      async () => {
        const current = await searches.get(search.id);
        return current?.state === 'finished' && current.summaryFilesAt ? current : undefined;
      },
      150_000,
    );

    // No run id started twice across the two processes; generation 2 ran only in the new one.
    const secondRuns = sherpa.logs.find('runner started on this host').map((line) => String(line.runId));
    const all = [...firstRuns, ...secondRuns];
    expect(new Set(all).size).toBe(all.length);
    expect(secondRuns.filter((id) => id.startsWith(`${search.id}.g1.`))).toEqual([]);
    expect(secondRuns.filter((id) => id.startsWith(`${search.id}.g2.`))).toHaveLength(4);
    expect(done.variants.filter((v) => v.role === 'child').every((v) => v.gate?.passed)).toBe(true);
    // The call the kill cut short was made again, and the record says so.
    expect(done.generations.map((g) => g.callAttempts)).toEqual([1, 2]);
    expect(done.variants.find((v) => v.role === 'child' && v.codeHash === done.parentHash)?.id).toBe(
      `${search.id}.g1.v0`,
    );
    // One leaderboard message for the whole search, whichever process updated it.
    const boards = fake
      .calls('chat.postMessage')
      .filter((c) => c.args.thread_ts === thread.ts && String(c.args.text).startsWith('Evolve leaderboard'));
    expect(boards).toHaveLength(1);
    expect(done.leaderboardTs).toBe((boards[0]?.response as { ts: string }).ts);
  }, 420_000);
});

/** The bot restarts in a child process: a minute by default, polled every 100 ms. */
function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 60_000,
) {
  return untilEvery(what, probe, ms, 100);
}
