import { describe, expect, it } from 'vitest';
import { estimatePlan } from '../../src/evolve/cost-estimate.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/messages/action-ids.js';
import { evolveConfirmModal } from '../../src/messages/evolve-confirm-modal.js';
import { evolvePlanMessage } from '../../src/messages/evolve-plan.js';
import {
  evolveAlreadyLive,
  evolveConfirmedLine,
  evolveMetricNotPrinted,
  evolveNoObjective,
  evolveNotPlanned,
  evolveStopLine,
} from '../../src/messages/evolve-replies.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { searchFixture } from '../evolve/search-fixture.js';

const RATES = { hourlyPriceUsd: 1.34, inputPerMTok: 3, outputPerMTok: 15, overheadMinutes: 1 };
const planned = searchFixture({
  state: 'planned',
  thread: { channel: 'C0FAKECHAN1', ts: '1764900000.000100' },
});
const estimate = estimatePlan(planned.settings, RATES, 7000, { spentTodayUsd: 1.5, dailyUsd: 50 });
const AT = '2026-12-05T09:00:00.000Z';

const actionIds = (message: { blocks: unknown[] }) =>
  (message.blocks as Array<{ type: string; elements?: Array<{ action_id?: string }> }>)
    .filter((block) => block.type === 'actions')
    .flatMap((block) => (block.elements ?? []).map((element) => element.action_id));

describe('the evolve plan as the search moves (issue 13, items 1 and 6)', () => {
  it('offers Confirm and Cancel while planned; Stop and Stop now once confirmed', () => {
    expect(actionIds(evolvePlanMessage(planned, estimate))).toEqual([
      ACTION_IDS.evolveConfirm,
      ACTION_IDS.evolveStop,
    ]);
    const confirmed = evolvePlanMessage(
      { ...planned, state: 'running', confirmedBy: 'U0APPROVER2' },
      estimate,
    );
    expect(confirmed.blocks.slice(1)).toMatchSnapshot();
    expectWithinBlockKitLimits(confirmed.blocks);
    expect(actionIds(confirmed)).toEqual([ACTION_IDS.evolveStop, ACTION_IDS.evolveStopNow]);
    expect(JSON.stringify(confirmed)).toContain('Confirmed by <@U0APPROVER2>');
  });

  it('keeps only Stop now while stopping after the runs in flight, and no button once it ends', () => {
    const base = { ...planned, confirmedBy: 'U0APPROVER2' };
    const stopping = evolvePlanMessage(
      { ...base, state: 'running', stop: { mode: 'after_in_flight', by: 'U0APPROVER3', at: AT } },
      estimate,
    );
    expect(actionIds(stopping)).toEqual([ACTION_IDS.evolveStopNow]);
    expect(JSON.stringify(stopping)).toContain('stopping after the runs in flight (<@U0APPROVER3>)');
    const now = evolvePlanMessage(
      { ...base, state: 'running', stop: { mode: 'now', by: 'U0APPROVER3', at: AT } },
      estimate,
    );
    expect(actionIds(now)).toEqual([]);
    const ended = evolvePlanMessage({ ...base, state: 'capped' }, estimate);
    expect(actionIds(ended)).toEqual([]);
    expect(JSON.stringify(ended)).toContain('ended: stopped at its cap');
    const cancelled = evolvePlanMessage(
      { ...planned, state: 'stopped', stop: { mode: 'now', by: 'U0APPROVER3', at: AT } },
      estimate,
    );
    expect(JSON.stringify(cancelled)).toContain('Cancelled by <@U0APPROVER3>; nothing ran.');
    expect(actionIds(cancelled)).toEqual([]);
  });

  it('confirms in a modal that says what will be spent and remembers the search', () => {
    const modal = evolveConfirmModal({
      search: planned,
      estimate,
      paperTitle: 'Okapi routing <for> sparse experts',
      metadata: {
        paperId: planned.paperId,
        searchId: planned.id,
        channel: 'C0FAKECHAN1',
        messageTs: '1764900000.000200',
        threadTs: '1764900000.000100',
      },
    });
    expect(modal).toMatchSnapshot();
    expect(modal.callback_id).toBe(VIEW_IDS.evolveConfirm);
    expect(JSON.parse(modal.private_metadata ?? '{}')).toMatchObject({ searchId: 's_1' });
  });
});

describe('evolve answers and thread lines', () => {
  it('say whether anything happened, and escape what people and scripts wrote', () => {
    expect({
      live: evolveAlreadyLive({ ...planned, state: 'running', generation: 2 }),
      noObjective: evolveNoObjective(3, '2401.00001 <!here>'),
      notPrinted: evolveMetricNotPrinted('val_loss', 'r_1', ['loss', '<b>acc</b>']),
      confirmedTwice: evolveNotPlanned({ state: 'confirmed', generation: 0, confirmedBy: 'U0APPROVER2' }),
      confirmedLine: evolveConfirmedLine('U0APPROVER2', 'go <!channel>'),
      stop: evolveStopLine('U0APPROVER2', 'after_in_flight', 0),
      stopNow: evolveStopLine('U0APPROVER2', 'now', 3),
    }).toMatchSnapshot();
    expect(evolveConfirmedLine('U0APPROVER2', 'go <!channel>')).not.toContain('<!channel>');
    expect(evolveNoObjective(3, '<!here>')).not.toContain('<!here>');
  });
});
