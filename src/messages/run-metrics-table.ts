import type { RunnerResult } from '../domain/runner-contract.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { formatMetric } from './format-units.js';

type MetricSummaries = RunnerResult['metrics']['summary'];

const MAX_ROWS = 12;

/**
 * The metrics as a monospace table (first, last, best; ↓ or ↑ says which way is better). Slack has no table
 * block, and a code block keeps the columns aligned on every client.
 */
export function metricsTable(summary: MetricSummaries): string | undefined {
  const names = Object.keys(summary).slice(0, MAX_ROWS);
  if (names.length === 0) return undefined;
  const rows = names.map((name) => {
    const metric = summary[name] as MetricSummaries[string];
    return [
      `${name} ${metric.goal === 'min' ? '↓' : '↑'}`,
      formatMetric(metric.first),
      formatMetric(metric.last),
      formatMetric(metric.best),
      String(metric.points),
    ];
  });
  const header = ['metric', 'first', 'last', 'best', 'points'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number),
      )
      .join('  ');
  const more =
    Object.keys(summary).length > MAX_ROWS
      ? `\n… ${Object.keys(summary).length - MAX_ROWS} more in result.json`
      : '';
  return '```\n' + escapeMrkdwn([line(header), ...rows.map(line)].join('\n')) + more + '\n```';
}
