import type { StartScrapeResult } from '../../src/ingest/scrape-service.js';
import { scrapeStartAnswer } from '../../src/messages/scrape-replies.js';
import type { CommandContext } from './command-context.js';

/**
 * Tell the person who typed `/scrape` where the progress is, or where the scrape already running reports. A
 * scrape that continues an interrupted one says so, with a link to the progress message it keeps updating.
 */
export async function answerStart(result: StartScrapeResult, context: CommandContext): Promise<void> {
  await context.respond(scrapeStartAnswer(result));
}
