import { describe, expect, it } from 'vitest';
import {
  alreadyUnderwayAnswer,
  commandFailedAnswer,
  digestPostedAnswer,
  judgeCouldNotScore,
  lookingUpAnswer,
  NO_LLM_ANSWER,
  openedWithPaperRun,
  paperNotAtSource,
  paperRunStartedAnswer,
  unknownPaperAnswer,
} from '../../src/messages/paper-command-answers.js';
import { HOSTILE } from '../support/hostile-text.js';
import { hasLiveHostileMarkup } from '../support/mrkdwn-texts.js';
import { judgedPaper } from '../support/sample-papers.js';

const THREAD = { channel: 'C0SHERPA', ts: '1764900000.000100' };

describe('/paper run answers', () => {
  it('says what was found, the judge’s scores and where code generation started (snapshot)', () => {
    const paper = judgedPaper(0);
    expect(paperRunStartedAnswer({ paper, fetched: true, thread: THREAD })).toMatchSnapshot('fetched');
    expect(paperRunStartedAnswer({ paper, fetched: false, thread: THREAD })).toMatchSnapshot('found');
  });

  it('passes on why the judge could not score it, and shows a prefilter rationale as text', () => {
    const paper = judgedPaper(1, {
      title: HOSTILE,
      verdict: { ...judgedPaper(1).verdict!, relevance: undefined, novelty: undefined, rationale: HOSTILE },
    });
    const answer = paperRunStartedAnswer({
      paper,
      fetched: false,
      thread: THREAD,
      judgeNote: judgeCouldNotScore(`Bedrock said ${HOSTILE}`),
    });
    expect(answer).toMatchSnapshot();
    expect(hasLiveHostileMarkup(answer)).toBe(false);
  });

  it('answers at once, and refuses plainly when there is no model or the paper does not exist', () => {
    expect(lookingUpAnswer('https://arxiv.org/abs/2401.00001')).toMatchSnapshot();
    expect(hasLiveHostileMarkup(lookingUpAnswer(HOSTILE))).toBe(false);
    expect(NO_LLM_ANSWER).toMatchSnapshot();
    expect(paperNotAtSource('arXiv 2401.99999')).toMatchSnapshot();
    expect(hasLiveHostileMarkup({ text: paperNotAtSource(HOSTILE) })).toBe(false);
    expect(openedWithPaperRun('U0ALICE')).toBe('Opened by <@U0ALICE> with `/paper run`');
  });

  it('says where a paper already at or past code generation is (snapshot)', () => {
    const paper = judgedPaper(0);
    expect(alreadyUnderwayAnswer({ ...paper, state: 'code_requested', thread: THREAD })).toMatchSnapshot();
    expect(alreadyUnderwayAnswer({ ...paper, state: 'failed', thread: undefined })).toMatchSnapshot();
  });
});

describe('other /paper answers', () => {
  it('tells an unknown paper, a posted digest and a failed command (snapshot)', () => {
    expect(unknownPaperAnswer('OpenReview note abc123')).toMatchSnapshot();
    expect(digestPostedAnswer(THREAD)).toMatchSnapshot();
    expect(commandFailedAnswer('OpenSearch did not answer within 10 s')).toMatchSnapshot();
  });

  it('escapes what the user typed and what an error quotes', () => {
    expect(hasLiveHostileMarkup(unknownPaperAnswer(HOSTILE))).toBe(false);
    expect(hasLiveHostileMarkup(commandFailedAnswer(HOSTILE))).toBe(false);
    expect(commandFailedAnswer(HOSTILE)).toMatchSnapshot();
  });
});
