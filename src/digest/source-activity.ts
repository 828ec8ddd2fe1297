import type { Paper } from '../domain/paper.js';
import type { SourceActivity } from '../messages/digest-data.js';

/**
 * Per source: papers created since the window start (the store's count), and the verdicts given since then,
 * split into Claude's (`llm`) and the keyword pre-filter's. A verdict's time, not the paper's last update,
 * decides whether it counts, so a paper judged last week and touched today is not counted again.
 */
export function sourceActivity(
  created: Record<string, number>,
  touched: readonly Paper[],
  windowStart: string,
): SourceActivity[] {
  const bySource = new Map<string, SourceActivity>();
  const entry = (source: string) => {
    let activity = bySource.get(source);
    if (!activity) {
      activity = { source, scraped: 0, judged: 0, accepted: 0, filtered: 0 };
      bySource.set(source, activity);
    }
    return activity;
  };
  for (const [source, count] of Object.entries(created)) entry(source).scraped += count;
  for (const paper of touched) {
    const verdict = paper.verdict;
    if (!verdict || verdict.judgedAt < windowStart) continue;
    const activity = entry(paper.source);
    if (verdict.decidedBy === 'prefilter') {
      activity.filtered += 1;
      continue;
    }
    activity.judged += 1;
    if (paper.state !== 'judge_rejected') activity.accepted += 1;
  }
  return [...bySource.values()]
    .filter((a) => a.scraped + a.judged + a.filtered > 0)
    .sort((a, b) => b.scraped - a.scraped || a.source.localeCompare(b.source));
}
