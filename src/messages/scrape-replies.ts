import type { ThreadRef } from '../domain/paper.js';
import { escapeMrkdwn, link } from './mrkdwn.js';
import { threadUrl } from './slack-time.js';

/** A reply that is only text: an ephemeral answer to a command, or a line in a thread. */
export interface TextMessage {
  text: string;
}

/** Who a scrape's messages say started it: a mention for a person, the words as given otherwise (`a restart`). */
export function scrapeStarter(startedBy: string): string {
  return /^[UW][A-Z0-9]+$/.test(startedBy) ? `<@${startedBy}>` : startedBy;
}

/** What `/scrape` did, as the ingest stage's `StartScrapeResult` reports it. */
export type ScrapeStartView =
  | { kind: 'started'; label: string; progress: ThreadRef | undefined; resumed: boolean }
  | {
      kind: 'running';
      label: string;
      /** The scrape already holding the lease, when it has said where it reports. */
      running: { label: string; startedBy: string; progress?: ThreadRef; resumed?: boolean } | undefined;
    };

/**
 * The ephemeral answer to `/scrape`: where the progress is, or where the scrape already running reports. A
 * scrape that continues an interrupted one says so, with a link to the progress message it keeps updating.
 */
export function scrapeStartAnswer(result: ScrapeStartView): TextMessage {
  if (result.kind === 'running' && result.running?.resumed) {
    const where = result.running.progress
      ? `: follow ${link(threadUrl(result.running.progress), 'its progress message')}`
      : '';
    return {
      text: `:repeat: The interrupted scrape of ${result.running.label} is being resumed${where}. Nothing new was started.`,
    };
  }
  if (result.kind === 'running') {
    const where = result.running?.progress
      ? `: ${link(threadUrl(result.running.progress), 'see its progress')}`
      : '';
    const who = result.running ? ` (started by ${result.running.startedBy})` : '';
    return {
      text: `:hourglass_flowing_sand: A scrape of ${escapeMrkdwn(result.running?.label ?? result.label)} is already running${who}${where}. Nothing new was started.`,
    };
  }
  if (result.resumed) {
    const where = result.progress
      ? `; follow ${link(threadUrl(result.progress), 'its progress message')}`
      : '';
    return {
      text: `:repeat: The interrupted scrape of ${result.label} is being resumed from where it stopped${where}.`,
    };
  }
  const where = result.progress ? link(threadUrl(result.progress), 'the progress message') : 'the channel';
  return { text: `:mag: Scraping started; follow ${where}.` };
}

/** Why a scrape stopped, as the ingest stage classifies the error. */
export interface ScrapeFailureView {
  /** The error's class: `config` needs a person to fix a setting, `transient` may clear by itself. */
  errorClass: 'config' | 'transient' | 'other';
  /** The error in one user-facing line (may quote what a source answered). */
  problem: string;
  /** The command that continues the scrape, e.g. `/scrape iclr 2025`. */
  retryCommand: string;
}

/** The reply in the progress message's thread: what went wrong and what happens next. */
export function scrapeFailureReply(view: ScrapeFailureView): TextMessage {
  // Error texts can quote what a source answered: shown as written, never as mentions or links.
  const what = escapeMrkdwn(view.problem);
  const retry = view.retryCommand;
  if (view.errorClass === 'config') {
    return { text: `:x: ${what}. After fixing it, run \`${retry}\`: it continues where it stopped.` };
  }
  if (view.errorClass === 'transient') {
    return {
      text: `:warning: ${what}. The position is saved: the next scheduled run, or \`${retry}\`, continues from here.`,
    };
  }
  return {
    text: `:x: ${what}. The position is saved; \`${retry}\` continues from here once the cause is fixed.`,
  };
}
