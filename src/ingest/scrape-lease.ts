import { z } from 'zod';
import { ThreadRefSchema } from '../domain/paper.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import { holderIsDeadHere } from './lease-holder.js';

/**
 * One scrape per key (`iclr-2025`, `arxiv`) at a time, across every Sherpa process: a lease in the
 * CoordinationStore, renewed while the scrape runs. A holder on this machine whose process is gone is taken over
 * at once (`lease-holder.ts`); any other holder that crashed is taken over when the short TTL runs out.
 */
export const SCRAPE_LEASE_TTL_SECONDS = 90;
export const SCRAPE_HEARTBEAT_MS = 30_000;

/** What a second `/scrape` of the same key is told: where the running one reports. */
export const RunningScrapeSchema = z.object({
  holder: z.string(),
  label: z.string(),
  startedAt: z.string(),
  startedBy: z.string(),
  progress: ThreadRefSchema.optional(),
  /** Set when this run continues an interrupted one, so a second `/scrape` says it is being resumed. */
  resumed: z.boolean().optional(),
});
export type RunningScrape = z.infer<typeof RunningScrapeSchema>;

const leaseKey = (key: string) => `scrape:lease:${key}`;
const runningKey = (key: string) => `scrape:running:${key}`;

export class ScrapeLeases {
  constructor(private readonly store: CoordinationStore) {}

  async acquire(key: string, holder: string): Promise<boolean> {
    return (await this.store.acquireLease(leaseKey(key), holder, SCRAPE_LEASE_TTL_SECONDS)) !== undefined;
  }

  /**
   * Take the lease from a holder known to be dead (on this machine, its pid gone). Compare-and-set on the lease's
   * version, so two Sherpas racing to take over cannot both win. Returns the dead holder when taken.
   */
  async takeOverDead(key: string, holder: string): Promise<string | undefined> {
    const current = await this.store.get<{ holder?: unknown }>(leaseKey(key));
    const dead = current?.value.holder;
    if (!current || typeof dead !== 'string' || !holderIsDeadHere(dead)) return undefined;
    if (!(await this.store.delete(leaseKey(key), { ifVersion: current.version }))) return undefined;
    return (await this.acquire(key, holder)) ? dead : undefined;
  }

  async announce(key: string, running: RunningScrape): Promise<void> {
    await this.store.put(runningKey(key), running);
  }

  async running(key: string): Promise<RunningScrape | undefined> {
    const record = await this.store.get<unknown>(runningKey(key));
    const parsed = RunningScrapeSchema.safeParse(record?.value);
    return parsed.success ? parsed.data : undefined;
  }

  async release(key: string, holder: string): Promise<void> {
    const running = await this.running(key);
    if (running?.holder === holder) await this.store.delete(runningKey(key));
    await this.store.releaseLease(leaseKey(key), holder);
  }

  /** Renew the lease every 30 s until stopped; a lost lease is reported so the scrape can stop. */
  heartbeat(key: string, holder: string, onLost: () => void): { stop(): void } {
    const timer = setInterval(() => {
      this.acquire(key, holder).then(
        (held) => {
          if (!held) onLost();
        },
        () => undefined, // a store hiccup; the next beat tries again well before the TTL runs out
      );
    }, SCRAPE_HEARTBEAT_MS);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }
}
