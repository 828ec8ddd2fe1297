import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApproverCheck } from '../../src/approvals/approver-check.js';
import { decide } from '../../src/approvals/decide.js';
import { embeddedCoreDeps, type EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';

let slack: SlackFake;
let harness: EmbeddedCoreDeps;

beforeEach(async () => {
  slack = await startSlackFake();
  harness = embeddedCoreDeps(slack, { env: { APPROVERS: 'U0APPROVER1,S0GROUPONE' } });
  slack.addUserGroup('S0GROUPONE', ['U0MEMBER01']);
});
afterEach(async () => {
  harness.close();
  await slack.close();
});

describe('createApproverCheck', () => {
  it('knows listed users without asking Slack, and group members through usergroups.users.list', async () => {
    const check = createApproverCheck(harness.deps);
    expect(await check.isApprover('U0APPROVER1')).toBe(true);
    expect(slack.calls('usergroups.users.list')).toHaveLength(0);
    expect(await check.isApprover('U0MEMBER01')).toBe(true);
    expect(await check.isApprover('U0STRANGER')).toBe(false);
    expect(slack.calls('usergroups.users.list')).toHaveLength(1);
  });

  it('shares one request among concurrent checks and refreshes after the TTL', async () => {
    const check = createApproverCheck(harness.deps, 60);
    await Promise.all(Array.from({ length: 20 }, () => check.isApprover('U0MEMBER01')));
    expect(slack.calls('usergroups.users.list')).toHaveLength(1);

    slack.addUserGroup('S0GROUPONE', ['U0NEWMEMBER']);
    expect(await check.isApprover('U0NEWMEMBER')).toBe(false);
    harness.clock.advance(61_000);
    expect(await check.isApprover('U0NEWMEMBER')).toBe(true);
    expect(await check.isApprover('U0MEMBER01')).toBe(false);
    expect(slack.calls('usergroups.users.list')).toHaveLength(2);
  });

  it('keeps the last known members when Slack fails, and fails closed when it never answered', async () => {
    const cold = createApproverCheck(harness.deps, 60);
    slack.failNext('usergroups.users.list', {
      body: { ok: false, error: 'missing_scope', needed: 'usergroups:read' },
    });
    expect(await cold.isApprover('U0MEMBER01')).toBe(false);

    const warm = createApproverCheck(harness.deps, 60);
    expect(await warm.isApprover('U0MEMBER01')).toBe(true);
    harness.clock.advance(61_000);
    slack.failNext('usergroups.users.list', { body: { ok: false, error: 'ratelimited' } });
    expect(await warm.isApprover('U0MEMBER01')).toBe(true);
  });
});

describe('createApproverCheck during a usergroups.users.list outage', () => {
  const failFor = (times: number) => {
    for (let i = 0; i < times; i += 1) {
      slack.failNext('usergroups.users.list', { body: { ok: false, error: 'internal_error' } });
    }
  };

  it('refuses a removed approver once the last known membership is past TTL + the staleness bound', async () => {
    const check = createApproverCheck(harness.deps, { ttlSeconds: 300, maxStaleSeconds: 600 });
    expect(await check.verify('U0MEMBER01')).toBe('approver');
    // U0MEMBER01 is removed from the group, and from now on Slack cannot be asked.
    slack.addUserGroup('S0GROUPONE', []);
    failFor(1000);

    harness.clock.advance(301_000);
    expect(await check.verify('U0MEMBER01')).toBe('approver'); // stale, inside the bound
    harness.clock.advance(599_000);
    expect(await check.verify('U0MEMBER01')).toBe('approver'); // 900 s old: the bound itself
    harness.clock.advance(2_000);
    expect(await check.verify('U0MEMBER01')).toBe('unverifiable');
    expect(await check.isApprover('U0MEMBER01')).toBe(false);
    expect(await check.verify('U0STRANGER')).toBe('unverifiable');
    // Listed users do not depend on Slack.
    expect(await check.verify('U0APPROVER1')).toBe('approver');
  });

  it('backs off: 100 checks over 20 minutes of outage make only a few calls', async () => {
    const check = createApproverCheck(harness.deps, { backoffSeconds: 10, maxBackoffSeconds: 300 });
    failFor(1000);
    const verdicts = new Set<string>();
    for (let i = 0; i < 100; i += 1) {
      verdicts.add(await check.verify('U0MEMBER01'));
      harness.clock.advance(12_000);
    }
    expect([...verdicts]).toEqual(['unverifiable']);
    // Waits of 10, 20, 40, 80, 160, 300, 300 s; checks come every 12 s, so the calls fall at 0, 12, 36, 84,
    // 168, 336, 636 and 936 s (without the backoff it was one call a check: found item 14).
    expect(slack.calls('usergroups.users.list')).toHaveLength(8);
  });

  it('makes one call for many checks at the same moment, and recovers after the backoff', async () => {
    const check = createApproverCheck(harness.deps, { backoffSeconds: 10 });
    failFor(1);
    const verdicts = await Promise.all(Array.from({ length: 100 }, () => check.verify('U0MEMBER01')));
    expect(new Set(verdicts)).toEqual(new Set(['unverifiable']));
    expect(await check.verify('U0MEMBER01')).toBe('unverifiable');
    expect(slack.calls('usergroups.users.list')).toHaveLength(1);

    harness.clock.advance(10_000);
    expect(await check.verify('U0MEMBER01')).toBe('approver');
    expect(await check.verify('U0STRANGER')).toBe('not_approver');
    expect(slack.calls('usergroups.users.list')).toHaveLength(2);
  });
});

describe('decide', () => {
  it('lets exactly one of many concurrent decisions win and tells every loser who decided and when', async () => {
    const paper = await ingestAccepted(harness.deps.papers, 0);
    const results = await Promise.all(
      ['U0APPROVER1', 'U0MEMBER01', 'U0APPROVER1', 'U0MEMBER01'].map((actor) =>
        decide(harness.deps, { paperId: paper.id, from: 'accepted', to: 'code_requested', actor }),
      ),
    );
    const winners = results.filter((result) => result.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    if (!winner.ok) throw new Error('unreachable');
    const when = Math.floor(new Date(winner.audit.at).getTime() / 1000);
    for (const loser of results.filter((result) => !result.ok)) {
      expect(loser).toMatchObject({
        ok: false,
        message: `Nothing to do: this was already decided. <@${winner.audit.actor}> asked for code on <!date^${when}^{date_short_pretty} at {time}|${winner.audit.at}>.`,
      });
    }
  });

  it('says so when the paper is gone', async () => {
    const result = await decide(harness.deps, {
      paperId: 'p_missing00000',
      from: 'accepted',
      to: 'rejected',
      actor: 'U1',
    });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/not in Sherpa's store/) });
  });
});
