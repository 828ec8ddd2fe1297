import { z } from 'zod';
import { ThreadRefSchema } from '../domain/paper.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import { ResolvedScrapeSchema } from './scrape-request.js';
import { TallySchema } from '../domain/scrape-tally.js';

/**
 * The last successful position of an unfinished scrape, written after each stored page. A restart (crash,
 * deploy, a source that stayed down) finds it and continues from `cursor` with the same listing.
 */
export const ScrapeCheckpointSchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  resolved: ResolvedScrapeSchema,
  /** `nextCursor` of the last stored page; absent before the first page. */
  cursor: z.string().optional(),
  tally: TallySchema,
  total: z.number().int().nonnegative().optional(),
  warnings: z.array(z.string()).default([]),
  /** The progress message in the channel, so a resumed scrape keeps updating it. */
  progress: ThreadRefSchema.optional(),
});
export type ScrapeCheckpoint = z.infer<typeof ScrapeCheckpointSchema>;

export const LastSuccessSchema = z.object({
  finishedAt: z.string(),
  /** arXiv: the end of the window read, where the next default window starts. */
  windowEnd: z.string().optional(),
  tally: TallySchema,
});
export type LastSuccess = z.infer<typeof LastSuccessSchema>;

const checkpointKey = (key: string) => `scrape:checkpoint:${key}`;
const lastSuccessKey = (key: string) => `scrape:last-success:${key}`;

export class ScrapeCheckpoints {
  constructor(private readonly store: CoordinationStore) {}

  async load(key: string): Promise<ScrapeCheckpoint | undefined> {
    const record = await this.store.get<unknown>(checkpointKey(key));
    if (!record) return undefined;
    const parsed = ScrapeCheckpointSchema.safeParse(record.value);
    // A checkpoint from an older, incompatible Sherpa is dropped: the scrape starts over (dedup keeps it safe).
    return parsed.success ? parsed.data : undefined;
  }

  async save(key: string, checkpoint: ScrapeCheckpoint): Promise<void> {
    await this.store.put(checkpointKey(key), checkpoint);
  }

  /** Unfinished scrapes, for the startup job that resumes them. */
  async unfinished(): Promise<{ key: string; checkpoint: ScrapeCheckpoint }[]> {
    const records = await this.store.list<unknown>('scrape:checkpoint:');
    return records.flatMap((record) => {
      const parsed = ScrapeCheckpointSchema.safeParse(record.value);
      return parsed.success
        ? [{ key: record.key.slice('scrape:checkpoint:'.length), checkpoint: parsed.data }]
        : [];
    });
  }

  /** Record the success (keeping the previous `windowEnd` when none is given) and drop the checkpoint. */
  async finish(key: string, success: LastSuccess): Promise<void> {
    const windowEnd = success.windowEnd ?? (await this.lastSuccess(key))?.windowEnd;
    await this.store.put(lastSuccessKey(key), { ...success, ...(windowEnd ? { windowEnd } : {}) });
    await this.store.delete(checkpointKey(key));
  }

  async lastSuccess(key: string): Promise<LastSuccess | undefined> {
    const record = await this.store.get<unknown>(lastSuccessKey(key));
    const parsed = LastSuccessSchema.safeParse(record?.value);
    return parsed.success ? parsed.data : undefined;
  }
}
