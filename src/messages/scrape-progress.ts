import type { KnownBlock } from '../domain/block-kit.js';
import type { MessageContent } from './message-content.js';
import { escapeMrkdwn, LIMITS, truncate } from './mrkdwn.js';

/** A scrape's counts so far (the ingest stage's `Tally`). */
export interface ScrapeCounts {
  fetched: number;
  new: number;
  duplicates: number;
  skipped: number;
  unmatched: number;
}

/** The one progress message a scrape posts in the channel and updates in place, ending as its summary. */
export interface ScrapeProgressView {
  label: string;
  /** The source's own description, e.g. the arXiv window. */
  listing: string;
  status: 'running' | 'done' | 'failed';
  tally: ScrapeCounts;
  total: number | undefined;
  elapsedMs: number;
  /** `<@U…>` or `schedule`. */
  startedBy: string;
  resumed: boolean;
  warnings: string[];
  /** One line for a failed scrape (already user-facing). */
  error?: string;
  /** How to continue after a failure, e.g. `/scrape iclr 2025`. */
  retryHint?: string;
}

const number = (value: number) => value.toLocaleString('en-US');

export function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
    : `${m}:${String(s).padStart(2, '0')}`;
}

/** `1,000 / 3,703 fetched · 950 new · 40 duplicates · 10 skipped · 0:42` */
export function countsLine(view: Pick<ScrapeProgressView, 'tally' | 'total' | 'elapsedMs'>): string {
  const { tally } = view;
  const fetched =
    view.total !== undefined ? `${number(tally.fetched)} / ${number(view.total)}` : number(tally.fetched);
  const parts = [
    `${fetched} fetched`,
    `${number(tally.new)} new`,
    `${number(tally.duplicates)} duplicates`,
    `${number(tally.skipped)} skipped`,
  ];
  if (tally.unmatched > 0) parts.push(`${number(tally.unmatched)} not matching the query`);
  parts.push(`${formatElapsed(view.elapsedMs)} elapsed`);
  return parts.join(' · ');
}

function headline(view: ScrapeProgressView): string {
  const label = escapeMrkdwn(view.label);
  switch (view.status) {
    case 'running':
      return `:hourglass_flowing_sand: *Scraping ${label}*${view.resumed ? ' (resumed where it stopped)' : ''}`;
    case 'done':
      return view.tally.new > 0
        ? `:white_check_mark: *Scraped ${label}*: ${number(view.tally.new)} new ${view.tally.new === 1 ? 'paper' : 'papers'} queued for judging`
        : `:white_check_mark: *Scraped ${label}*: no new papers`;
    case 'failed':
      return `:x: *Scrape of ${label} stopped*`;
  }
}

export function scrapeProgressMessage(view: ScrapeProgressView): MessageContent {
  const counts = countsLine(view);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`${headline(view)}\n${counts}`, LIMITS.sectionText) },
    },
  ];
  if (view.status === 'failed' && view.error) {
    const retry = view.retryHint
      ? ` It continues from here on the next run, or with \`${view.retryHint}\`.`
      : '';
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`${escapeMrkdwn(view.error)}${retry}`, LIMITS.sectionText) },
    });
  }
  const context = [
    `${escapeMrkdwn(view.listing)} · started by ${view.startedBy}`,
    ...view.warnings.map((w) => `:warning: ${escapeMrkdwn(w)}`),
  ];
  blocks.push({
    type: 'context',
    elements: context
      .slice(0, 10)
      .map((text) => ({ type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) })),
  });
  const text = `${view.status === 'failed' ? 'Scrape stopped' : view.status === 'done' ? 'Scraped' : 'Scraping'} ${escapeMrkdwn(view.label)}: ${counts}`;
  return { text: truncate(text, LIMITS.messageText), blocks };
}
