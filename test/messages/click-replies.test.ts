import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/paper.js';
import {
  alreadyDecidedAnswer,
  buttonWithout,
  cannotRetryStep,
  CLICK_FAILED,
  COMPUTE_OFF,
  FIX_REQUEST_FAILED,
  infrastructureFailureNotFixable,
  NEWER_RUN_EXISTS,
  newerCodeOnCodeStep,
  newerCodeThanRunButton,
  newerCodeWhileFormOpen,
  NO_SUCH_CODE_VERSION,
  noFixRoundsLeft,
  NOTHING_HELD,
  PAPER_GONE,
  paperNotInStore,
  RUN_GONE,
  RUN_REQUEST_FAILED,
  THREAD_BEING_OPENED,
  threadAlreadyOpen,
} from '../../src/messages/click-replies.js';
import { HOSTILE } from '../support/hostile-text.js';
import { hasLiveHostileMarkup } from '../support/mrkdwn-texts.js';

const REJECTED: AuditEntry = {
  paperId: 'p_0a1b2c3d4e5f',
  from: 'accepted',
  to: 'rejected',
  actor: 'U0BOB',
  at: '2026-11-23T09:05:00.000Z',
  note: HOSTILE,
};

describe('click replies', () => {
  it('says who decided first, and escapes the reason they typed (snapshot)', () => {
    const answer = alreadyDecidedAnswer({ state: 'rejected' }, REJECTED);
    expect(answer).toMatchSnapshot();
    expect(hasLiveHostileMarkup({ text: answer })).toBe(false);
    expect(alreadyDecidedAnswer({ state: 'code_ready' }, undefined)).toMatchSnapshot();
  });

  it('names what a button or a click lacked and that nothing happened (snapshot)', () => {
    expect({
      paper: buttonWithout('paper id'),
      code: buttonWithout('paper and code'),
      run: buttonWithout('paper and run'),
      step: buttonWithout('paper and step'),
      retry: cannotRetryStep('judge'),
      gone: [PAPER_GONE, RUN_GONE, NO_SUCH_CODE_VERSION, paperNotInStore('p_0a1b2c3d4e5f')],
      failed: [CLICK_FAILED, FIX_REQUEST_FAILED, RUN_REQUEST_FAILED],
      computeOff: COMPUTE_OFF,
      held: NOTHING_HELD,
    }).toMatchSnapshot();
  });

  it('points to the newest code or run instead of acting on an old one (snapshot)', () => {
    const current = { version: 3, shortHash: 'a1b2c3d4e5f6' };
    expect({
      codeStep: [newerCodeOnCodeStep(current), newerCodeOnCodeStep(undefined)],
      runButton: [newerCodeThanRunButton(current), newerCodeThanRunButton(undefined)],
      form: [newerCodeWhileFormOpen('regenerated'), newerCodeWhileFormOpen('rejected')],
      fix: [NEWER_RUN_EXISTS, infrastructureFailureNotFixable('instance_unavailable'), noFixRoundsLeft(2)],
    }).toMatchSnapshot();
  });

  it('links a thread that is already open, or being opened (snapshot)', () => {
    expect(threadAlreadyOpen({ channel: 'C0SHERPA', ts: '1764900000.000100' })).toMatchSnapshot();
    expect(THREAD_BEING_OPENED).toMatchSnapshot();
  });
});
