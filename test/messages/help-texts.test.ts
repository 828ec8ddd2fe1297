import { describe, expect, it } from 'vitest';
import { SCRAPE_VENUES } from '../../src/commands/venues.js';
import { mentionHelp, PAPER_USAGE, scrapeUsage, usageMessage } from '../../src/messages/help-texts.js';
import { HOSTILE } from '../support/hostile-text.js';
import { hasLiveHostileMarkup } from '../support/mrkdwn-texts.js';

describe('help texts', () => {
  it('explains /paper and /scrape, naming the venues that can be scraped (snapshot)', () => {
    expect(PAPER_USAGE).toMatchSnapshot();
    expect(scrapeUsage(SCRAPE_VENUES)).toMatchSnapshot();
  });

  it('answers a mention with both usages', () => {
    const { text } = mentionHelp(scrapeUsage(['iclr', 'neurips']));
    expect(text).toMatch(/^Hi! I work through slash commands\.\n\n\*How to use \/paper\*/);
    expect(text).toContain('a conference (iclr, neurips)');
  });

  it('puts the problem first and escapes what was typed, placeholders included (snapshot)', () => {
    const message = usageMessage({ problem: `"${HOSTILE}" is not a subcommand.`, usage: PAPER_USAGE });
    expect(message).toMatchSnapshot();
    expect(hasLiveHostileMarkup({ text: message })).toBe(false);
  });
});
