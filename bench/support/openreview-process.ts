/**
 * The loopback fake OpenReview in a child process, for benchmarks that measure Sherpa's own CPU time and
 * memory: the real OpenReview does not run on Sherpa's machine, so its JSON encoding should not count against
 * Sherpa's papers per CPU-second or its peak RSS. The child generates the venue itself (generated notes of the
 * recorded shape) and answers counters over the IPC channel.
 */
import { setPriority } from 'node:os';
import { FakeOpenReview } from '../../test/support/fake-openreview.js';
import { generateNotes } from '../../test/support/openreview-notes.js';
import { forkFakeChild } from './fake-child.js';

export interface VenueSpec {
  venue: 'ICLR';
  year: number;
  venueId: string;
  count: number;
  credentials: { username: string; password: string };
  /** More years of the venue, each its own listing of `count` new notes (its id is `venueId` with the year). */
  moreYears?: number[];
  /**
   * The child's nice value. The real OpenReview runs on other machines; a benchmark that measures the bot's
   * latency on a 2-core machine runs the fake behind the bot, as remote work would be.
   */
  nice?: number;
}

type Request = { type: 'start'; spec: VenueSpec } | { type: 'stats' };
type Reply = { type: 'started'; url: string } | { type: 'stats'; listingRequests: number; logins: number };

export interface OpenReviewProcess {
  url: string;
  stats(): Promise<{ listingRequests: number; logins: number }>;
  stop(): Promise<void>;
}

export async function startOpenReviewProcess(spec: VenueSpec): Promise<OpenReviewProcess> {
  const fake = forkFakeChild<Reply>(import.meta.url, 'fake OpenReview');
  const replyOf =
    <T extends Reply['type']>(type: T) =>
    (reply: Reply): reply is Extract<Reply, { type: T }> =>
      reply.type === type;
  const ask = <T extends Reply['type']>(request: Request, type: T) => fake.ask(request, replyOf(type));
  const { url } = await ask({ type: 'start', spec }, 'started');
  return {
    url,
    stats: async () => {
      const { listingRequests, logins } = await ask({ type: 'stats' }, 'stats');
      return { listingRequests, logins };
    },
    stop: () => fake.stop(),
  };
}

async function serve(): Promise<void> {
  let fake: FakeOpenReview | undefined;
  process.on('message', async (request: Request) => {
    if (request.type === 'start') {
      const { spec } = request;
      fake = await FakeOpenReview.start({
        credentials: spec.credentials,
        // The budget an authenticated account starts a venue with (recorded ratelimit headers): no pause needed.
        rateLimit: { limit: 500, remaining: 500, resetSeconds: 3600 },
      });
      for (const year of [spec.year, ...(spec.moreYears ?? [])]) {
        const venueId = spec.venueId.replace(String(spec.year), String(year));
        fake.addVenue(venueId, generateNotes({ ...spec, year, venueId }));
      }
      if (spec.nice !== undefined) setPriority(spec.nice);
      process.send?.({ type: 'started', url: fake.url } satisfies Reply);
    } else if (fake) {
      process.send?.({
        type: 'stats',
        listingRequests: fake.listingRequests(),
        logins: fake.logins,
      } satisfies Reply);
    }
  });
  process.once('disconnect', () => void fake?.stop().finally(() => process.exit(0)));
}

if (process.argv.includes('--child')) await serve();
