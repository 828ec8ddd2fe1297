import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CostLedger, LedgerEntry } from '../../src/ports/cost-ledger.js';

export interface CostLedgerSubject {
  ledger: CostLedger;
  close?: () => Promise<void>;
}

export type CostLedgerFactory = () => Promise<CostLedgerSubject>;

const llm = (
  at: string,
  paperId: string,
  usd: number,
  inputTokens: number,
  outputTokens: number,
): LedgerEntry => ({
  at,
  paperId,
  kind: 'llm',
  resource: 'claude-haiku',
  purpose: 'judge',
  inputTokens,
  outputTokens,
  usd,
});

/** The behaviour every CostLedger must have (embedded SQLite, OpenSearch). */
export function describeCostLedgerContract(name: string, factory: CostLedgerFactory): void {
  describe(`CostLedger contract: ${name}`, () => {
    let subject: CostLedgerSubject;
    let ledger: CostLedger;
    beforeEach(async () => {
      subject = await factory();
      ledger = subject.ledger;
      await ledger.record(llm('2026-11-23T08:00:00.000Z', 'p_a', 0.01, 1000, 100));
      await ledger.record(llm('2026-11-23T09:00:00.000Z', 'p_b', 0.02, 2000, 200));
      await ledger.record({
        at: '2026-11-23T10:00:00.000Z',
        paperId: 'p_a',
        runId: 'r1',
        kind: 'instance',
        resource: 'i-0abc',
        purpose: 'run',
        seconds: 600,
        usd: 0.25,
      });
      await ledger.record(llm('2026-11-24T01:00:00.000Z', 'p_a', 0.5, 10, 10));
    });
    afterEach(async () => subject.close?.());

    it('sums a time window, by resource, with since inclusive and until exclusive', async () => {
      const day = await ledger.summarize({
        since: '2026-11-23T00:00:00.000Z',
        until: '2026-11-24T00:00:00.000Z',
      });
      expect(day.usd).toBeCloseTo(0.28, 10);
      expect(day).toMatchObject({ inputTokens: 3000, outputTokens: 300, instanceSeconds: 600 });
      expect(day.byResource['claude-haiku']).toMatchObject({
        inputTokens: 3000,
        outputTokens: 300,
        seconds: 0,
      });
      expect(day.byResource['i-0abc']).toMatchObject({ seconds: 600 });
      expect(day.byResource['i-0abc']?.usd).toBeCloseTo(0.25, 10);
      const from9 = await ledger.summarize({
        since: '2026-11-23T09:00:00.000Z',
        until: '2026-11-23T10:00:00.000Z',
      });
      expect(from9.usd).toBeCloseTo(0.02, 10);
    });

    it('sums one paper', async () => {
      const paper = await ledger.summarize({ since: '2026-01-01T00:00:00.000Z', paperId: 'p_a' });
      expect(paper.usd).toBeCloseTo(0.76, 10);
      expect(paper.inputTokens).toBe(1010);
    });

    it('answers zero for an empty window', async () => {
      expect(await ledger.summarize({ since: '2030-01-01T00:00:00.000Z' })).toEqual({
        usd: 0,
        inputTokens: 0,
        outputTokens: 0,
        instanceSeconds: 0,
        byResource: {},
      });
    });

    it('lists entries newest first, filtered and limited', async () => {
      const all = await ledger.entries({});
      expect(all.map((e) => e.at)).toEqual([
        '2026-11-24T01:00:00.000Z',
        '2026-11-23T10:00:00.000Z',
        '2026-11-23T09:00:00.000Z',
        '2026-11-23T08:00:00.000Z',
      ]);
      expect(all[1]).toEqual({
        at: '2026-11-23T10:00:00.000Z',
        paperId: 'p_a',
        runId: 'r1',
        kind: 'instance',
        resource: 'i-0abc',
        purpose: 'run',
        seconds: 600,
        usd: 0.25,
      });
      expect(await ledger.entries({ paperId: 'p_b' })).toEqual([
        llm('2026-11-23T09:00:00.000Z', 'p_b', 0.02, 2000, 200),
      ]);
      expect(await ledger.entries({ since: '2026-11-23T09:30:00.000Z', limit: 1 })).toHaveLength(1);
    });

    it("keeps a run's execution info on its instance entry (issue 12, item 6)", async () => {
      const run: LedgerEntry = {
        at: '2026-11-25T10:00:00.000Z',
        paperId: 'p_x',
        runId: 'r2',
        kind: 'instance',
        resource: 'i-0def',
        purpose: 'run',
        seconds: 1200,
        usd: 0.5,
        execution: {
          instanceType: 'p5.48xlarge',
          market: 'spot',
          device: 'NVIDIA H100 80GB HBM3 ×8',
          wallSeconds: 1180.5,
          throughput: { value: 4321.5, unit: 'samples/s' },
        },
      };
      await ledger.record(run);
      await ledger.record({
        ...run,
        at: '2026-11-25T11:00:00.000Z',
        runId: 'r3',
        execution: { market: 'on-demand' },
      });
      expect(await ledger.entries({ paperId: 'p_x' })).toEqual([
        { ...run, at: '2026-11-25T11:00:00.000Z', runId: 'r3', execution: { market: 'on-demand' } },
        run,
      ]);
      // An entry without execution info (an llm call, an older row) reads back without the key.
      expect((await ledger.entries({ paperId: 'p_b' }))[0]).not.toHaveProperty('execution');
      await expect(
        ledger.record({ ...run, execution: { throughput: { value: Number.NaN, unit: 'steps/s' } } }),
      ).rejects.toThrow();
    });

    it('refuses an entry with a negative or non-numeric cost', async () => {
      await expect(ledger.record({ ...llm('2026-11-23T08:00:00.000Z', 'p_c', -1, 1, 1) })).rejects.toThrow();
      await expect(
        ledger.record({ ...llm('2026-11-23T08:00:00.000Z', 'p_c', Number.NaN, 1, 1) }),
      ).rejects.toThrow();
      expect(await ledger.entries({ paperId: 'p_c' })).toEqual([]);
    });
  });
}
