import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/paper.js';
import { homeView } from '../../src/messages/home-view.js';
import { paperStatusMessage } from '../../src/messages/paper-status.js';
import { searchResultsMessage } from '../../src/messages/search-results.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { judgedPaper } from '../support/sample-papers.js';

const AUDIT: AuditEntry[] = [
  { paperId: 'p', at: '2026-11-23T06:05:00.000Z', actor: 'system:judge', from: 'scraped', to: 'accepted' },
  {
    paperId: 'p',
    at: '2026-11-23T08:30:00.000Z',
    actor: 'U0APPROVER1',
    from: 'accepted',
    to: 'code_requested',
  },
  {
    paperId: 'p',
    at: '2026-11-23T08:41:00.000Z',
    actor: 'system:codegen',
    from: 'code_requested',
    to: 'code_ready',
    artifactHash: 'a'.repeat(64),
    note: 'Plan <ok> & reviewed',
  },
];

describe('paperStatusMessage', () => {
  it('shows state, venue, links, thread, verdict and history in the team time zone (snapshot)', () => {
    const paper = judgedPaper(2, {
      state: 'code_ready',
      venue: 'ICLR',
      year: 2025,
      presentation: 'spotlight',
      forumUrl: 'https://openreview.net/forum?id=abcDEF12345',
      thread: { channel: 'C0FAKECHAN1', ts: '1763888400.000100' },
    });
    const message = paperStatusMessage(paper, AUDIT, 'Europe/Berlin');
    expect(message).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
    expect(JSON.stringify(message.blocks)).toContain(
      '`2026-11-23 09:41` code_requested → *code_ready* by Sherpa (codegen)',
    );
    expect(JSON.stringify(message.blocks)).toContain('Plan &lt;ok&gt; &amp; reviewed');
  });

  it('summarises a long history and stays within Block Kit limits', () => {
    const long: AuditEntry[] = Array.from({ length: 40 }, (_, i) => ({
      ...AUDIT[0]!,
      at: `2026-11-23T06:${String(i).padStart(2, '0')}:00.000Z`,
      note: 'n'.repeat(300),
    }));
    const message = paperStatusMessage(judgedPaper(0, { title: 'T'.repeat(400) }), long, 'UTC');
    expectWithinBlockKitLimits(message.blocks);
    expect(JSON.stringify(message.blocks)).toContain('28 earlier transitions not shown');
  });
});

describe('searchResultsMessage', () => {
  it('lists hits compactly with links, state and id (snapshot)', () => {
    const hits = [0, 1, 2].map((i) => ({ paper: judgedPaper(i), score: 3 - i }));
    const message = searchResultsMessage('attention', { venue: 'arXiv', year: 2025 }, hits);
    expect(message).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
  });

  it('says plainly when nothing matched', () => {
    expect(searchResultsMessage('', { state: 'running' }, []).text).toBe('No papers match status running.');
  });

  it('never cuts a link in half when many long titles do not fit', () => {
    const hits = Array.from({ length: 40 }, (_, i) => ({
      paper: judgedPaper(i % 3, { title: `${'Long '.repeat(40)}${i}` }),
      score: 1,
    }));
    const message = searchResultsMessage('long', {}, hits);
    expectWithinBlockKitLimits(message.blocks);
    const list = JSON.stringify(message.blocks[1]);
    expect(list).toMatch(/…and \d+ more/);
    expect((list.match(/</g) ?? []).length).toBe((list.match(/>/g) ?? []).length);
  });
});

describe('homeView', () => {
  it('shows what waits for a person and the pipeline counts (snapshot)', () => {
    const view = homeView({
      counts: { accepted: 2, code_ready: 1, succeeded: 4, filtered: 120 },
      awaiting: [
        judgedPaper(0, { state: 'code_ready', thread: { channel: 'C0FAKECHAN1', ts: '1763888400.000100' } }),
        judgedPaper(1),
      ],
      channel: 'C0FAKECHAN1',
      generatedAt: '2026-11-23T09:00:00.000Z',
      timeZone: 'UTC',
    });
    expect(view).toMatchSnapshot();
    expectWithinBlockKitLimits(view.blocks as never);
  });

  it('invites a first scrape when the store is empty', () => {
    const view = homeView({
      counts: {},
      awaiting: [],
      channel: 'C1',
      generatedAt: '2026-11-23T09:00:00Z',
      timeZone: 'UTC',
    });
    expect(JSON.stringify(view.blocks)).toContain('No papers yet');
    expect(JSON.stringify(view.blocks)).toContain('Nothing is waiting for a person');
  });
});
