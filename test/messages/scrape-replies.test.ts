import { describe, expect, it } from 'vitest';
import { scrapeFailureReply, scrapeStartAnswer, scrapeStarter } from '../../src/messages/scrape-replies.js';
import { HOSTILE } from '../support/hostile-text.js';
import { hasLiveHostileMarkup } from '../support/mrkdwn-texts.js';

const PROGRESS = { channel: 'C0SHERPA', ts: '1764900000.000100' };

describe('scrapeStartAnswer', () => {
  it('points to the progress message of a new scrape, or to the channel when it could not be posted', () => {
    expect(
      scrapeStartAnswer({ kind: 'started', label: 'ICLR 2025', progress: PROGRESS, resumed: false }),
    ).toMatchSnapshot();
    expect(
      scrapeStartAnswer({ kind: 'started', label: 'ICLR 2025', progress: undefined, resumed: false }),
    ).toMatchSnapshot();
  });

  it('says an interrupted scrape is being resumed, whether this command or a dead holder resumes it', () => {
    expect(
      scrapeStartAnswer({ kind: 'started', label: 'ICLR 2025', progress: PROGRESS, resumed: true }),
    ).toMatchSnapshot();
    expect(
      scrapeStartAnswer({
        kind: 'running',
        label: 'ICLR 2025',
        running: { label: 'ICLR 2025', startedBy: '<@U0ALICE>', progress: PROGRESS, resumed: true },
      }),
    ).toMatchSnapshot();
  });

  it('says who runs the scrape already running, and escapes a label it does not control', () => {
    expect(
      scrapeStartAnswer({
        kind: 'running',
        label: 'arXiv',
        running: { label: 'arXiv', startedBy: 'schedule', progress: PROGRESS },
      }),
    ).toMatchSnapshot();
    const hostile = scrapeStartAnswer({ kind: 'running', label: HOSTILE, running: undefined });
    expect(hostile).toMatchSnapshot();
    expect(hasLiveHostileMarkup(hostile)).toBe(false);
  });
});

describe('scrapeFailureReply', () => {
  it('tells what happens next for each class of failure (snapshot)', () => {
    const retryCommand = '/scrape iclr 2025 --include-rejected';
    for (const errorClass of ['config', 'transient', 'other'] as const) {
      expect(
        scrapeFailureReply({
          errorClass,
          problem: 'OpenReview answered 503 Service Unavailable',
          retryCommand,
        }),
      ).toMatchSnapshot(errorClass);
    }
  });

  it('shows an error text quoting a source as written, never as a mention or link', () => {
    const reply = scrapeFailureReply({
      errorClass: 'other',
      problem: HOSTILE,
      retryCommand: '/scrape arxiv',
    });
    expect(reply).toMatchSnapshot();
    expect(hasLiveHostileMarkup(reply)).toBe(false);
  });
});

describe('scrapeStarter', () => {
  it('mentions a person and names anything else as given', () => {
    expect(scrapeStarter('U0ALICE')).toBe('<@U0ALICE>');
    expect(scrapeStarter('W0ENTERPRISE')).toBe('<@W0ENTERPRISE>');
    expect(scrapeStarter('a restart')).toBe('a restart');
    expect(scrapeStarter('schedule')).toBe('schedule');
  });
});
