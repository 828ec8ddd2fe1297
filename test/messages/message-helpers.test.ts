import { describe, expect, it } from 'vitest';
import { PAPER_STATES } from '../../src/domain/paper-state.js';
import { fitLines } from '../../src/messages/fit-lines.js';
import { ModalMetadataSchema } from '../../src/messages/modal-metadata.js';
import { modelLabel } from '../../src/messages/model-label.js';
import { authorLine, feasibilityMark, paperLinks, venueLine } from '../../src/messages/paper-facts.js';
import { actorLabel, formatTime, threadUrl } from '../../src/messages/slack-time.js';
import { STATE_LABELS, stateBadge } from '../../src/messages/state-labels.js';
import { HOSTILE } from '../support/hostile-text.js';
import { hasLiveHostileMarkup } from '../support/mrkdwn-texts.js';
import { judgedPaper } from '../support/sample-papers.js';

describe('paper facts', () => {
  it('writes the venue, authors, links and feasibility of a paper (snapshot)', () => {
    const paper = judgedPaper(0, { arxivId: '2401.00001', doi: '10.1000/xyz' });
    expect({
      venue: venueLine(paper),
      spotlight: venueLine({ venue: 'ICLR', year: 2025, presentation: 'spotlight' }),
      labelled: venueLine({ venue: 'MLSys', year: 2025, presentation: 'accepted', venueLabel: 'MLSys 2025' }),
      authors: authorLine(['A', 'B', 'C'], 2),
      noAuthors: authorLine([]),
      links: paperLinks(paper),
      noLinks: paperLinks({ source: 'manual' }),
      marks: (['yes', 'no', 'unclear'] as const).map(feasibilityMark),
    }).toMatchSnapshot();
  });

  it('never lets a scraped URL open a link or mention of its own', () => {
    const links = paperLinks({
      source: 'openreview',
      forumUrl: `https://openreview.net/forum?id=${HOSTILE}`,
    });
    expect(hasLiveHostileMarkup({ text: links })).toBe(false);
  });
});

describe('times, threads and actors', () => {
  it('formats in the team’s zone, links threads and names actors', () => {
    expect(formatTime('2026-11-23T09:05:00.000Z', 'America/Los_Angeles')).toBe('2026-11-23 01:05');
    expect(formatTime('not a date', 'UTC')).toBe('not a date');
    expect(threadUrl({ channel: 'C0SHERPA', ts: '1764900000.000100' })).toBe(
      'https://slack.com/archives/C0SHERPA/p1764900000000100',
    );
    expect([actorLabel('U0ALICE'), actorLabel('system:judge'), actorLabel('schedule')]).toEqual([
      '<@U0ALICE>',
      'Sherpa (judge)',
      'schedule',
    ]);
    expect(modelLabel('us.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('claude-haiku-4-5');
  });
});

describe('state labels', () => {
  it('has a phrase for every state, and a badge for each (snapshot)', () => {
    expect(Object.keys(STATE_LABELS).sort()).toEqual([...PAPER_STATES].sort());
    expect(Object.fromEntries(PAPER_STATES.map((state) => [state, stateBadge(state)]))).toMatchSnapshot();
  });
});

describe('fitLines', () => {
  it('keeps whole lines within the budget and counts the rest', () => {
    const lines = ['• <https://a.example|first>', '• <https://b.example|second>', '• third'];
    expect(fitLines(lines, 1000, (n) => `…${n} more`)).toBe(lines.join('\n'));
    expect(fitLines(lines, 40, (n) => `…${n} more`)).toBe('• <https://a.example|first>\n…2 more');
  });
});

describe('ModalMetadataSchema', () => {
  it('reads back the ids a modal carries, and refuses metadata without them', () => {
    const metadata = { paperId: 'p_1', channel: 'C1', messageTs: '1.1', threadTs: '1.0' };
    expect(ModalMetadataSchema.parse(metadata)).toEqual(metadata);
    expect(ModalMetadataSchema.safeParse({ ...metadata, paperId: '' }).success).toBe(false);
  });
});
