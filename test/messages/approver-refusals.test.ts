import { describe, expect, it } from 'vitest';
import { APPROVER_LIST_UNCHECKED, notAnApprover } from '../../src/messages/approver-refusals.js';

describe('approver refusals', () => {
  it('names what was asked and that nothing happened (snapshot)', () => {
    expect([
      notAnApprover('retry a step', { mark: true }),
      notAnApprover('start runs'),
      notAnApprover('use `/paper run`', { outcome: 'nothing was started', mark: true }),
      notAnApprover('post the digest', { outcome: 'nothing was posted', mark: true }),
      APPROVER_LIST_UNCHECKED,
    ]).toMatchSnapshot();
  });
});
