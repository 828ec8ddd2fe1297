import { describe, expect, it } from 'vitest';
import { paperThreadRoot } from '../../src/messages/paper-thread-root.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { judgedPaper } from '../support/sample-papers.js';

describe('paperThreadRoot', () => {
  it('shows the paper, the verdict and the two buttons (snapshot)', () => {
    const paper = judgedPaper(2, {
      venue: 'ICLR',
      year: 2025,
      presentation: 'spotlight',
      openreviewId: 'abcDEF12345',
      forumUrl: 'https://openreview.net/forum?id=abcDEF12345',
    });
    const message = paperThreadRoot(paper);
    expect(message).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
  });

  it('keeps a long abstract and 43 authors within Block Kit limits', () => {
    for (const index of [0, 1]) {
      const message = paperThreadRoot(judgedPaper(index, { title: 'T'.repeat(400) }));
      expectWithinBlockKitLimits(message.blocks);
      const text = JSON.stringify(message.blocks);
      expect(text).toContain('…');
    }
    expect(JSON.stringify(paperThreadRoot(judgedPaper(1)).blocks)).toMatch(/\+35 more/);
  });

  it('puts only the paper id in the buttons, with confirm dialogs', () => {
    const paper = judgedPaper(0);
    const actions = paperThreadRoot(paper).blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { action_id: ACTION_IDS.generateCode, value: paper.id, confirm: expect.any(Object) },
        { action_id: ACTION_IDS.rejectPaper, value: paper.id, confirm: expect.any(Object) },
      ],
    });
  });

  it('escapes mrkdwn control characters from the paper and the judge', () => {
    const paper = judgedPaper(0, { abstract: 'A <b>bold</b> claim & more' });
    const text = JSON.stringify(paperThreadRoot(paper).blocks);
    expect(text).toContain('A &lt;b&gt;bold&lt;/b&gt; claim &amp; more');
    expect(text).toContain('accelerators &amp; is testable');
  });

  it('replaces the buttons with who rejected it, when and why (snapshot)', () => {
    const paper = judgedPaper(0, { state: 'rejected' });
    const message = paperThreadRoot(paper, {
      decision: {
        paperId: paper.id,
        at: '2026-11-23T10:15:00.000Z',
        actor: 'U0APPROVER1',
        from: 'accepted',
        to: 'rejected',
        note: 'Interpretability, not training efficiency.',
      },
    });
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(message.blocks.at(-1)).toMatchSnapshot();
    expect(JSON.stringify(message.blocks.at(-1))).toContain(
      '<@U0APPROVER1> rejected it on <!date^1795428900^',
    );
  });

  it('says so when a paper has no verdict yet', () => {
    const paper = judgedPaper(0, { verdict: undefined, state: 'scraped' });
    expect(JSON.stringify(paperThreadRoot(paper).blocks)).toContain('Not judged yet');
  });
});
