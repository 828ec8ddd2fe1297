import type { Paper } from './paper.js';

/**
 * Best first: relevance and novelty count equally, Trainium feasibility breaks near-ties (a paper that cannot
 * run on the hardware is worth less to this team), then the pre-filter score, then the earlier verdict.
 */
const FEASIBILITY = { yes: 1, unclear: 0, no: -2 } as const;

/** What the ranking reads of a paper. */
export type RankedPaper = Pick<Paper, 'id' | 'verdict'>;

export function threadScore(paper: RankedPaper): number {
  const verdict = paper.verdict;
  if (!verdict) return Number.NEGATIVE_INFINITY;
  const feasibility = FEASIBILITY[verdict.feasibility?.verdict ?? 'unclear'];
  return (verdict.relevance ?? 0) + (verdict.novelty ?? 0) + feasibility + verdict.prefilterScore / 10;
}

/**
 * Each paper's score is computed once, not in every comparison: the digest ranks up to 2,000 accepted papers, and
 * scoring inside the comparator was most of that time (issue 14, item 3).
 */
export function rankForThreads<P extends RankedPaper>(papers: readonly P[]): P[] {
  const ranked = papers.map((paper) => ({
    paper,
    score: threadScore(paper),
    judgedAt: paper.verdict?.judgedAt ?? '',
  }));
  ranked.sort(
    (a, b) =>
      // Equal scores (two unscored papers too: -Infinity minus -Infinity is NaN) fall through to the dates.
      (a.score === b.score ? 0 : b.score - a.score) ||
      byCodePoint(a.judgedAt, b.judgedAt) ||
      byCodePoint(a.paper.id, b.paper.id),
  );
  return ranked.map((entry) => entry.paper);
}

/**
 * ISO timestamps (all from `toISOString`) and paper ids (`p_` and lowercase base 36) sort the same by code point
 * as by `localeCompare`, which goes through ICU collation and cost most of the sort.
 */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The best accepted papers without a thread, and how many there are: what the digest shows of them. */
export interface ThreadCandidates<P extends RankedPaper = Paper> {
  /** Best first, at most the number asked for. */
  papers: P[];
  /** Papers without a thread among those ranked. */
  total: number;
}

/** Of these accepted papers, those without a thread, best first, cut to `limit`, and how many there were. */
export function threadCandidatesOf<P extends RankedPaper & Pick<Paper, 'thread'>>(
  accepted: readonly P[],
  limit: number,
): ThreadCandidates<P> {
  const ranked = rankForThreads(accepted.filter((paper) => !paper.thread));
  return { papers: ranked.slice(0, limit), total: ranked.length };
}
