import type { TopLevelSpec } from 'vega-lite';
import type { RunnerResult } from '../domain/runner-contract.js';
import { renderPng } from './render-png.js';

type Metrics = RunnerResult['metrics'];

const MAX_SERIES = 4;
const MAX_POINTS = 2000;

/** Losses first (the curve people look for); otherwise what the run minimised; otherwise its first series. */
export function pickCurveSeries(metrics: Metrics): string[] {
  const names = Object.keys(metrics.series).filter((name) => (metrics.series[name]?.length ?? 0) > 1);
  const losses = names.filter((name) => /loss/i.test(name));
  const minimised = names.filter((name) => metrics.summary[name]?.goal === 'min');
  const chosen = losses.length > 0 ? losses : minimised.length > 0 ? minimised : names.slice(0, 1);
  return chosen.slice(0, MAX_SERIES);
}

/** Every n-th point, always keeping the last, so a long run stays a light image. */
function thin<T>(points: readonly T[]): T[] {
  if (points.length <= MAX_POINTS) return [...points];
  const stride = Math.ceil(points.length / MAX_POINTS);
  const kept = points.filter((_point, index) => index % stride === 0);
  const last = points[points.length - 1] as T;
  if (kept[kept.length - 1] !== last) kept.push(last);
  return kept;
}

export function lossCurveSpec(metrics: Metrics, title: string): TopLevelSpec | undefined {
  const names = pickCurveSeries(metrics);
  if (names.length === 0) return undefined;
  const values = names.flatMap((name) =>
    thin(metrics.series[name] ?? []).map((point) => ({ series: name, step: point.step, value: point.value })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 560,
    height: 280,
    data: { values },
    mark: { type: 'line', point: values.length <= 60 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: {
        field: 'value',
        type: 'quantitative',
        title: names.length === 1 ? names[0] : 'value',
        scale: { zero: false },
      },
      color: { field: 'series', type: 'nominal', title: null },
    },
    config: { font: 'DejaVu Sans' },
  };
}

/** The loss curve of a run as a PNG, or undefined when the run reported no series with two points. */
export async function renderLossCurve(metrics: Metrics, title: string): Promise<Buffer | undefined> {
  const spec = lossCurveSpec(metrics, title);
  return spec ? renderPng(spec) : undefined;
}
