/**
 * The path a new user takes first, end to end: `/scrape iclr 2025` through the Slack fake into the real app, a
 * loopback OpenReview serving a listing of generated notes (cloned from recorded real ones), the judge on the
 * loopback Bedrock fake with a fixed model latency, and the thread poster. Used by the app test and by
 * `bench/time-to-first-thread.ts` (issue 11, item 6).
 */
import { THREAD_ROOT_EVENT } from '../../src/threads/thread-deps.js';
import { startFakeBedrock, type FakeBedrock } from './fake-bedrock.js';
import { useFakeBedrockEnv } from './fake-bedrock-llm.js';
import { judgeReply } from './fake-judge-replies.js';
import { FakeOpenReview } from './fake-openreview.js';
import { generateNotes } from './openreview-notes.js';
import type { RecordedCall } from './slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from './start-sherpa.js';

const ICLR_2025 = 'ICLR.cc/2025/Conference';
const CREDENTIALS = { username: 'bot@example.org', password: 'correct horse' };
const AWS_ENV = [
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_PROFILE',
];

export interface ScrapeToThread {
  sherpa: SherpaHarness;
  openreview: FakeOpenReview;
  bedrock: FakeBedrock;
  /** Send `/scrape iclr 2025` and wait for the first thread root: milliseconds from the command to its post. */
  firstThread(options?: { timeoutMs?: number }): Promise<{ ms: number; root: RecordedCall }>;
  stop(): Promise<void>;
}

export function isThreadRoot(call: RecordedCall): boolean {
  return JSON.stringify(call.args.metadata ?? '').includes(THREAD_ROOT_EVENT);
}

export async function startScrapeToThread(options: {
  papers: number;
  modelLatencyMs: number;
  env?: Record<string, string>;
}): Promise<ScrapeToThread> {
  const saved = Object.fromEntries(AWS_ENV.map((key) => [key, process.env[key]]));
  const openreview = await FakeOpenReview.start({ credentials: CREDENTIALS });
  openreview.addVenue(
    ICLR_2025,
    generateNotes({ venue: 'ICLR', year: 2025, venueId: ICLR_2025, count: options.papers }),
  );
  const bedrock = await startFakeBedrock({ latencyMs: options.modelLatencyMs });
  bedrock.respondWith(judgeReply);
  useFakeBedrockEnv(bedrock);
  const sherpa = await startSherpa({
    env: {
      OPENREVIEW_API_URL: openreview.url,
      OPENREVIEW_USERNAME: CREDENTIALS.username,
      OPENREVIEW_PASSWORD: CREDENTIALS.password,
      ...options.env,
    },
  });
  return {
    sherpa,
    openreview,
    bedrock,
    async firstThread({ timeoutMs = 120_000 } = {}) {
      const sent = await sherpa.fake.sendSlashCommand('/scrape', 'iclr 2025', TEST_APPROVER);
      const root = await sherpa.fake.waitForCall('chat.postMessage', isThreadRoot, { timeoutMs });
      return { ms: root.at - sent.sentAt, root };
    },
    async stop() {
      await sherpa.stop();
      await Promise.all([openreview.stop(), bedrock.close()]);
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}
