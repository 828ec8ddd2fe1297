import { describe, expect, it } from 'vitest';
import { lossCurveSpec, pickCurveSeries, renderLossCurve } from '../../src/plots/loss-curve.js';
import type { RunnerResult } from '../../src/domain/runner-contract.js';

type Metrics = RunnerResult['metrics'];

const series = (values: number[]) => values.map((value, step) => ({ step, value }));
const summary = (goal: 'min' | 'max', points: number) => ({ first: 0, last: 0, best: 0, goal, points });

describe('pickCurveSeries', () => {
  it('prefers losses, then what the run minimised, then its first series; single points are no curve', () => {
    const metrics: Metrics = {
      series: {
        accuracy: series([0.1, 0.5]),
        train_loss: series([2, 1]),
        val_loss: series([2.1, 1.2]),
        once: series([1]),
      },
      summary: {
        accuracy: summary('max', 2),
        train_loss: summary('min', 2),
        val_loss: summary('min', 2),
        once: summary('min', 1),
      },
    };
    expect(pickCurveSeries(metrics)).toEqual(['train_loss', 'val_loss']);
    expect(
      pickCurveSeries({
        series: { err: series([3, 2]), acc: series([1, 2]) },
        summary: { err: summary('min', 2), acc: summary('max', 2) },
      }),
    ).toEqual(['err']);
    expect(pickCurveSeries({ series: { acc: series([1, 2]) }, summary: { acc: summary('max', 2) } })).toEqual(
      ['acc'],
    );
    expect(
      lossCurveSpec({ series: { once: series([1]) }, summary: { once: summary('min', 1) } }, 't'),
    ).toBeUndefined();
  });

  it('thins a very long series but keeps its last point', () => {
    const long = series(Array.from({ length: 10_001 }, (_unused, i) => 1 / (i + 1)));
    const spec = lossCurveSpec(
      { series: { loss: long }, summary: { loss: summary('min', long.length) } },
      't',
    );
    const values = (spec?.data as { values: { step: number }[] }).values;
    expect(values.length).toBeLessThanOrEqual(2001);
    expect(values.at(-1)?.step).toBe(10_000);
  });
});

describe('renderLossCurve', () => {
  it('renders a PNG of the loss curve', async () => {
    const png = await renderLossCurve(
      { series: { loss: series([2.29, 2.05, 1.8, 1.64, 1.54]) }, summary: { loss: summary('min', 5) } },
      'Loss curve · test',
    );
    expect(png?.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height follow the 8-byte signature and the chunk header.
    const width = png?.readUInt32BE(16) ?? 0;
    const height = png?.readUInt32BE(20) ?? 0;
    expect(width).toBe(1200);
    expect(height).toBeGreaterThan(400);
    expect(png?.length).toBeGreaterThan(5_000);
  });
});
