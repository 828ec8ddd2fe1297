import type { CoordinationStore } from '../ports/coordination-store.js';
import { zoneFormatter } from '../domain/zone-formatter.js';

/** Papers that got an automatic thread on one local day. */
interface DayRecord {
  paperIds: string[];
}

const ATTEMPTS = 10;

/** `2026-11-23` in the team's time zone: the day a quota belongs to. */
export function localDayKey(now: Date, timeZone: string): string {
  return zoneFormatter('day', timeZone).format(now);
}

/**
 * `MAX_THREADS_PER_DAY` as a compare-and-set counter in the coordination store, so restarts and replicas share
 * one count. A slot is reserved before a thread is opened and given back if opening fails.
 */
export class DailyThreadQuota {
  constructor(
    private readonly store: CoordinationStore,
    private readonly day: string,
    private readonly maxPerDay: number,
  ) {}

  private get key(): string {
    return `threads-per-day/${this.day}`;
  }

  async used(): Promise<string[]> {
    return (await this.store.get<DayRecord>(this.key))?.value.paperIds ?? [];
  }

  /** True if the paper holds a slot today (newly or already). */
  async reserve(paperId: string): Promise<boolean> {
    return this.change((ids) => {
      if (ids.includes(paperId)) return { ids, result: true };
      if (ids.length >= this.maxPerDay) return { ids, result: false };
      return { ids: [...ids, paperId], result: true };
    });
  }

  async release(paperId: string): Promise<void> {
    await this.change((ids) => ({ ids: ids.filter((id) => id !== paperId), result: true }));
  }

  private async change(edit: (ids: string[]) => { ids: string[]; result: boolean }): Promise<boolean> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const current = await this.store.get<DayRecord>(this.key);
      const { ids, result } = edit(current?.value.paperIds ?? []);
      if (current && ids === current.value.paperIds) return result;
      // Kept a few days for the digest and /paper status; nobody needs last month's counter.
      const written = await this.store.put<DayRecord>(
        this.key,
        { paperIds: ids },
        current
          ? { ifVersion: current.version, ttlSeconds: 7 * 86_400 }
          : { ifAbsent: true, ttlSeconds: 7 * 86_400 },
      );
      if (written) return result;
    }
    throw new Error(`The thread quota for ${this.day} kept changing under us`);
  }
}
