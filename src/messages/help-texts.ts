import { escapeMrkdwn } from './mrkdwn.js';
import type { TextMessage } from './scrape-replies.js';

/** The help Sherpa gives: `/paper help`, `/scrape help`, a mention, and the answer to a command it cannot read. */

export const PAPER_USAGE = [
  '*How to use /paper*',
  '• `/paper status <id>`: where a paper is in the pipeline, its history and links',
  '• `/paper search <words> [venue:iclr] [year:2025] [status:accepted]`: search the papers Sherpa knows',
  '• `/paper run <id>`: fetch a paper if needed and take it straight to code generation',
  '• `/paper evolve <id> [--variants N] [--generations M] [--minutes T] [--max-usd X] [--metric name:min|max] [--target neuron|cuda]`: ' +
    'plan a variant search from its last succeeded run (approvers; nothing runs until the plan is confirmed)',
  "• `/paper digest`: post today's digest now",
  '• `/paper help`: this message',
  '`<id>` is a Sherpa paper id (`p_…`), an arXiv id or URL (`2401.00001`, `https://arxiv.org/abs/2401.00001`), ' +
    'an OpenReview id or URL (`https://openreview.net/forum?id=…`), or a DOI.',
].join('\n');

/** `/scrape help`, naming the venues this Sherpa can scrape. */
export function scrapeUsage(venues: readonly string[]): string {
  return [
    '*How to use /scrape*',
    '• `/scrape <venue> <year> [--query words] [--limit N] [--include-rejected]`: fetch accepted papers of ' +
      `a conference (${venues.join(', ')}) and judge them`,
    '• `/scrape arxiv [--days N] [--categories cs.LG,cs.CL]`: fetch recent arXiv preprints (default: the last day)',
    '• `/scrape help`: this message',
    'Examples: `/scrape iclr 2025 --query attention --limit 50`, `/scrape arxiv --days 3`',
  ].join('\n');
}

/** The answer in the thread when someone @-mentions Sherpa: it works through slash commands. */
export function mentionHelp(scrapeUsageText: string): TextMessage {
  return { text: `Hi! I work through slash commands.\n\n${PAPER_USAGE}\n\n${scrapeUsageText}` };
}

/** What the user sees when a command's text is wrong: the problem first, then how to write it. */
export function usageMessage(result: { problem: string; usage: string }): string {
  // The problem quotes what was typed (`<!channel>` is not a subcommand); the usage shows `<id>` placeholders.
  return escapeMrkdwn(`:warning: ${result.problem}\n\n${result.usage}`);
}
