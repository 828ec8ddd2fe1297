import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/paper.js';
import { codegenHeldMessage } from '../../src/messages/codegen-held.js';
import { decisionLine } from '../../src/messages/decision-line.js';
import { actorMention, describeDecision, slackDate } from '../../src/messages/describe-decision.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { HOSTILE } from '../support/hostile-text.js';
import { hasLiveHostileMarkup } from '../support/mrkdwn-texts.js';

const entry = (overrides: Partial<AuditEntry>): AuditEntry => ({
  paperId: 'p_0a1b2c3d4e5f',
  from: 'accepted',
  to: 'code_requested',
  actor: 'U0ALICE',
  at: '2026-11-23T09:05:00.000Z',
  ...overrides,
});

describe('describeDecision and decisionLine', () => {
  it('says who decided what and when, for each kind of decision (snapshot)', () => {
    const lines = [
      entry({}),
      entry({ from: 'accepted', to: 'rejected', note: 'Out of scope for us' }),
      entry({ from: 'code_ready', to: 'run_approved', artifactHash: 'a'.repeat(64) }),
      entry({ from: 'code_ready', to: 'run_held', actor: 'system:budget', note: 'over budget: $9.50 …' }),
      entry({ from: 'running', to: 'succeeded', actor: 'system:runs' }),
      entry({ from: 'code_requested', to: 'code_failed', actor: 'system:codegen' }),
    ].map((audit) => decisionLine(audit, 'decision'));
    expect(lines).toMatchSnapshot();
    expectWithinBlockKitLimits(lines);
  });

  it('shows a typed reason as written, never as a mention or link', () => {
    const line = decisionLine(entry({ to: 'rejected', note: HOSTILE }), 'decision');
    expect(hasLiveHostileMarkup(line)).toBe(false);
    expect(describeDecision(entry({ to: 'rejected', note: 'x'.repeat(500) }))).toContain(
      `“${'x'.repeat(200)}”`,
    );
  });

  it('mentions people, names Sherpa for its jobs, and lets Slack render dates', () => {
    expect(actorMention('U0ALICE')).toBe('<@U0ALICE>');
    expect(actorMention('system:judge')).toBe('Sherpa');
    expect(slackDate('2026-11-23T09:05:00.000Z')).toBe(
      '<!date^1795424700^{date_short_pretty} at {time}|2026-11-23T09:05:00.000Z>',
    );
  });
});

describe('codegenHeldMessage', () => {
  it('explains the sums and offers an approver-only override with a confirm dialog (snapshot)', () => {
    const message = codegenHeldMessage({
      paperId: 'p_0a1b2c3d4e5f',
      requestedBy: 'U0ALICE',
      spentTodayUsd: 24.5,
      estimateUsd: 0.004,
      limitUsd: 25,
    });
    expect(message).toMatchSnapshot();
    expect(JSON.stringify(message.blocks)).toContain(ACTION_IDS.overrideCodegenBudget);
    expectWithinBlockKitLimits(message.blocks);
  });
});
