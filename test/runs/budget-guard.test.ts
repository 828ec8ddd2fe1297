import { describe, expect, it, vi } from 'vitest';
import { checkRunBudget, estimateRunUsd } from '../../src/runs/budget-guard.js';
import { startOfLocalDay } from '../../src/runs/local-day.js';
import { RecordingLedger } from '../support/recording-ledger.js';
import { VirtualClock } from '../support/virtual-clock.js';

describe('startOfLocalDay', () => {
  it.each([
    ['UTC', '2026-11-23T09:00:00.000Z', '2026-11-23T00:00:00.000Z'],
    ['Europe/Berlin', '2026-11-23T09:00:00.000Z', '2026-11-22T23:00:00.000Z'],
    ['Europe/Berlin', '2026-11-22T23:30:00.000Z', '2026-11-22T23:00:00.000Z'],
    // The night summer time begins: midnight was still CET (UTC+1).
    ['Europe/Berlin', '2026-03-29T12:00:00.000Z', '2026-03-28T23:00:00.000Z'],
    ['America/New_York', '2026-11-23T03:00:00.000Z', '2026-11-22T05:00:00.000Z'],
    ['Asia/Kolkata', '2026-11-23T20:00:00.000Z', '2026-11-23T18:30:00.000Z'],
  ])('%s at %s began at %s', (zone, now, midnight) => {
    expect(startOfLocalDay(new Date(now), zone).toISOString()).toBe(midnight);
  });

  it('answers from the days it last found only for times inside them, across midnight and DST', () => {
    const ask = (at: string) => startOfLocalDay(new Date(at), 'Europe/Berlin').toISOString();
    expect(ask('2026-03-28T12:00:00.000Z')).toBe('2026-03-27T23:00:00.000Z');
    expect(ask('2026-03-28T22:59:59.999Z')).toBe('2026-03-27T23:00:00.000Z');
    // Local midnight, then a 23-hour day (summer time begins at 02:00 local).
    expect(ask('2026-03-28T23:00:00.000Z')).toBe('2026-03-28T23:00:00.000Z');
    expect(ask('2026-03-29T21:59:59.999Z')).toBe('2026-03-28T23:00:00.000Z');
    expect(ask('2026-03-29T22:00:00.000Z')).toBe('2026-03-29T22:00:00.000Z');
    // Back in time, too, and the days asked for stay known side by side (today and the month's first day).
    for (let round = 0; round < 2; round++) {
      expect(ask('2026-03-28T12:00:00.000Z')).toBe('2026-03-27T23:00:00.000Z');
      expect(ask('2026-03-01T11:00:00.000Z')).toBe('2026-02-28T23:00:00.000Z');
    }
    // Known days are answered without converting a time again.
    const conversions = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    ask('2026-03-28T13:00:00.000Z');
    ask('2026-03-01T12:00:00.000Z');
    expect(conversions).not.toHaveBeenCalled();
    conversions.mockRestore();
  });
});

describe('checkRunBudget', () => {
  const config = {
    budget: { dailyUsd: 5 },
    timezone: 'Europe/Berlin',
    codegen: { runBudgetMinutes: 10, maxFixRounds: 3, allowedDatasetHosts: [] },
  };

  it('estimates a run as its code budget plus boot and profiling overhead at the instance price', () => {
    expect(estimateRunUsd(config, 1.2)).toBeCloseTo(0.3);
  });

  it('counts only what was spent since local midnight, and holds a run that would pass the budget', async () => {
    const ledger = new RecordingLedger();
    const clock = new VirtualClock('2026-11-23T09:00:00.000Z');
    // 23:30 Berlin the day before (22:30 UTC): yesterday's spend does not count.
    await ledger.record({
      at: '2026-11-22T22:30:00.000Z',
      kind: 'llm',
      resource: 'm',
      purpose: 'judge',
      usd: 100,
    });
    await ledger.record({
      at: '2026-11-22T23:10:00.000Z',
      kind: 'llm',
      resource: 'm',
      purpose: 'codegen.code',
      usd: 4.5,
    });

    const small = await checkRunBudget({ ledger, clock, config }, 0.4);
    expect(small).toEqual({
      withinBudget: true,
      spentTodayUsd: 4.5,
      estimateUsd: 0.4,
      limitUsd: 5,
      since: '2026-11-22T23:00:00.000Z',
    });
    const large = await checkRunBudget({ ledger, clock, config }, 0.6);
    expect(large.withinBudget).toBe(false);
  });
});
