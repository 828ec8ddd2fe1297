import type { StartScrapeResult } from '../../src/ingest/scrape-service.js';
import { escapeMrkdwn, link } from '../../src/messages/mrkdwn.js';
import { threadUrl } from '../../src/messages/slack-time.js';
import type { CommandContext } from './command-context.js';

/**
 * Tell the person who typed `/scrape` where the progress is, or where the scrape already running reports. A
 * scrape that continues an interrupted one says so, with a link to the progress message it keeps updating.
 */
export async function answerStart(result: StartScrapeResult, context: CommandContext): Promise<void> {
  if (result.kind === 'running' && result.running?.resumed) {
    const where = result.running.progress
      ? `: follow ${link(threadUrl(result.running.progress), 'its progress message')}`
      : '';
    await context.respond({
      text: `:repeat: The interrupted scrape of ${result.running.label} is being resumed${where}. Nothing new was started.`,
    });
    return;
  }
  if (result.kind === 'running') {
    const where = result.running?.progress
      ? `: ${link(threadUrl(result.running.progress), 'see its progress')}`
      : '';
    const who = result.running ? ` (started by ${result.running.startedBy})` : '';
    await context.respond({
      text: `:hourglass_flowing_sand: A scrape of ${escapeMrkdwn(result.running?.label ?? result.label)} is already running${who}${where}. Nothing new was started.`,
    });
    return;
  }
  if (result.resumed) {
    const where = result.progress
      ? `; follow ${link(threadUrl(result.progress), 'its progress message')}`
      : '';
    await context.respond({
      text: `:repeat: The interrupted scrape of ${result.label} is being resumed from where it stopped${where}.`,
    });
    return;
  }
  const where = result.progress ? link(threadUrl(result.progress), 'the progress message') : 'the channel';
  await context.respond({ text: `:mag: Scraping started; follow ${where}.` });
}
