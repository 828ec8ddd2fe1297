import { z } from 'zod';

/** What a scrape has done so far; shown in the progress message and kept in the checkpoint. */
export const TallySchema = z.object({
  /** Records the source returned (including skipped ones). */
  fetched: z.number().int().nonnegative(),
  /** Papers stored for the first time (and queued for judging). */
  new: z.number().int().nonnegative(),
  /** Papers Sherpa already knew (by source id, arXiv id or title); never queued again. */
  duplicates: z.number().int().nonnegative(),
  /** Records that could not be read (malformed); counted and logged. */
  skipped: z.number().int().nonnegative(),
  /** Records left out because they did not match `--query`. */
  unmatched: z.number().int().nonnegative(),
});
export type Tally = z.infer<typeof TallySchema>;

export const EMPTY_TALLY: Tally = { fetched: 0, new: 0, duplicates: 0, skipped: 0, unmatched: 0 };

export function addTallies(a: Tally, b: Tally): Tally {
  return {
    fetched: a.fetched + b.fetched,
    new: a.new + b.new,
    duplicates: a.duplicates + b.duplicates,
    skipped: a.skipped + b.skipped,
    unmatched: a.unmatched + b.unmatched,
  };
}
