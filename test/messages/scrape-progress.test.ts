import { describe, expect, it } from 'vitest';
import {
  countsLine,
  formatElapsed,
  scrapeProgressMessage,
  type ScrapeProgressView,
} from '../../src/messages/scrape-progress.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';

const base: ScrapeProgressView = {
  label: 'ICLR 2025',
  listing: 'ICLR 2025',
  status: 'running',
  tally: { fetched: 1000, new: 950, duplicates: 40, skipped: 10, unmatched: 0 },
  total: 3703,
  elapsedMs: 42_000,
  startedBy: '<@U0ALICE>',
  resumed: false,
  warnings: [],
};

describe('scrape progress message', () => {
  it('shows fetched/total, new, duplicates, skipped and elapsed while running', () => {
    const message = scrapeProgressMessage(base);
    expect(message.text).toBe(
      'Scraping ICLR 2025: 1,000 / 3,703 fetched · 950 new · 40 duplicates · 10 skipped · 0:42 elapsed',
    );
    expect(message.blocks).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
  });

  it('ends as a summary, and says "no new papers" when there were none', () => {
    const done = scrapeProgressMessage({ ...base, status: 'done', tally: { ...base.tally, fetched: 3703 } });
    expect(JSON.stringify(done.blocks)).toContain('*Scraped ICLR 2025*: 950 new papers queued for judging');
    const none = scrapeProgressMessage({ ...base, status: 'done', tally: { ...base.tally, new: 0 } });
    expect(JSON.stringify(none.blocks)).toContain('*Scraped ICLR 2025*: no new papers');
  });

  it('shows a failure with what to do next, warnings and the query filter count', () => {
    const failed = scrapeProgressMessage({
      ...base,
      status: 'failed',
      error: 'openreview did not answer after 6 attempts (HTTP 502). Sherpa will try again on the next run',
      retryHint: '/scrape iclr 2025',
      warnings: [
        'arXiv returns at most 30 000 results and 41,233 matched; narrow the window or the categories',
      ],
      tally: { ...base.tally, unmatched: 7 },
    });
    const text = JSON.stringify(failed.blocks);
    expect(failed.text).toMatch(/^Scrape stopped ICLR 2025/);
    expect(text).toContain('continues from here on the next run, or with `/scrape iclr 2025`');
    expect(text).toContain(':warning: arXiv returns at most 30 000 results');
    expect(text).toContain('7 not matching the query');
    expectWithinBlockKitLimits(failed.blocks);
  });

  it('formats counts without a known total and long durations', () => {
    expect(countsLine({ tally: base.tally, total: undefined, elapsedMs: 3_725_000 })).toBe(
      '1,000 fetched · 950 new · 40 duplicates · 10 skipped · 1:02:05 elapsed',
    );
    expect(formatElapsed(59_600)).toBe('1:00');
  });
});
