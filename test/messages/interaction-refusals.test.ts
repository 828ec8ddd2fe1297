import { describe, expect, it } from 'vitest';
import {
  ackGuardAnswer,
  closedFormView,
  interactionRefusedAnswer,
  type InteractionRefusal,
} from '../../src/messages/interaction-refusals.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';

const REASONS: InteractionRefusal[] = [
  'unknown_command',
  'unknown_action',
  'unknown_view',
  'unsupported',
  'malformed',
];

describe('interaction refusals', () => {
  it('answers every refused interaction with what happened and what to do (snapshot)', () => {
    expect(
      Object.fromEntries(REASONS.map((reason) => [reason, interactionRefusedAnswer(reason).text])),
    ).toMatchSnapshot();
  });

  it('replaces a refused form with one that can only be closed (snapshot)', () => {
    const view = closedFormView('unknown_view');
    expect(view).toMatchSnapshot();
    expect(view.submit).toBeUndefined();
    expectWithinBlockKitLimits(view.blocks);
  });

  it('tells a late or failed listener apart (snapshot)', () => {
    expect({ late: ackGuardAnswer('late'), failed: ackGuardAnswer('failed') }).toMatchSnapshot();
  });
});
