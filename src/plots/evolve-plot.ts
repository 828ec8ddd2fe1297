import type { TopLevelSpec } from 'vega-lite';
import { bestValue } from '../domain/objective.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import { renderPng } from './render-png.js';

/**
 * The objective by generation (issue 13, item 6): every finished variant as a point (the parent's re-runs
 * apart), and the best so far as a line. Undefined until some variant has a value.
 */
export function evolvePlotSpec(search: EvolveSearch): TopLevelSpec | undefined {
  const { objective } = search.settings;
  const points = search.variants
    .filter((v) => v.metric !== undefined && v.status === 'succeeded')
    .map((v) => ({
      generation: v.generation,
      value: v.metric as number,
      kind: v.role === 'parent' ? 'parent re-run' : 'variant',
    }));
  if (points.length === 0) return undefined;
  const best: { generation: number; best: number }[] = [];
  const seen: number[] = search.origin.metric !== undefined ? [search.origin.metric] : [];
  for (let k = 1; k <= search.generation; k += 1) {
    seen.push(...points.filter((p) => p.generation === k).map((p) => p.value));
    const value = bestValue(objective, seen);
    if (value !== undefined) best.push({ generation: k, best: value });
  }
  const y = {
    type: 'quantitative' as const,
    title: `${objective.metric} (${objective.direction})`,
    scale: { zero: false },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Evolve: ${objective.metric} by generation`,
    width: 560,
    height: 280,
    layer: [
      {
        data: { values: points },
        mark: { type: 'point', filled: true },
        encoding: {
          x: { field: 'generation', type: 'quantitative', title: 'generation', axis: { tickMinStep: 1 } },
          y: { field: 'value', ...y },
          color: { field: 'kind', type: 'nominal', title: null },
        },
      },
      {
        data: { values: best },
        mark: { type: 'line', point: true, color: 'black' },
        encoding: {
          x: { field: 'generation', type: 'quantitative' },
          y: { field: 'best', ...y },
        },
      },
    ],
    config: { font: 'DejaVu Sans' },
  };
}

export async function renderEvolvePlot(search: EvolveSearch): Promise<Buffer | undefined> {
  const spec = evolvePlotSpec(search);
  return spec ? renderPng(spec) : undefined;
}
