import type { StartScrapeResult } from '../../src/ingest/scrape-service.js';
import { escapeMrkdwn, link } from '../../src/slack/blocks/mrkdwn.js';
import { threadUrl } from '../../src/slack/blocks/slack-time.js';
import type { CommandContext } from './command-context.js';

/** Tell the person who typed `/scrape` where the progress is, or where the scrape already running reports. */
export async function answerStart(result: StartScrapeResult, context: CommandContext): Promise<void> {
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
  const where = result.progress ? link(threadUrl(result.progress), 'the progress message') : 'the channel';
  await context.respond({ text: `:mag: Scraping started; follow ${where}.` });
}
