import type { Paper } from '../domain/paper.js';
import { escapeMrkdwn, link } from './mrkdwn.js';

/** `ICLR 2025 · Spotlight`, or the venue's own label when it has one. */
export function venueLine(paper: Pick<Paper, 'venue' | 'year' | 'presentation' | 'venueLabel'>): string {
  if (paper.venueLabel) return paper.venueLabel;
  const base = `${paper.venue} ${paper.year}`;
  if (paper.presentation === 'accepted' || paper.presentation === 'preprint') return base;
  return `${base} · ${paper.presentation[0]?.toUpperCase()}${paper.presentation.slice(1)}`;
}

export function authorLine(authors: readonly string[], shown = 8): string {
  if (authors.length === 0) return 'Authors unknown';
  const names = authors.slice(0, shown).join(', ');
  return authors.length > shown ? `${names} +${authors.length - shown} more` : names;
}

/** The paper's forum, PDF, arXiv and DOI links as one mrkdwn line (links never unfurl: the poster says so). */
export function paperLinks(paper: Pick<Paper, 'forumUrl' | 'pdfUrl' | 'arxivId' | 'doi' | 'source'>): string {
  const links: string[] = [];
  if (paper.forumUrl) {
    links.push(link(paper.forumUrl, paper.forumUrl.includes('openreview.net') ? 'OpenReview' : 'Forum'));
  }
  if (paper.pdfUrl) links.push(link(paper.pdfUrl, 'PDF'));
  if (paper.arxivId) links.push(link(`https://arxiv.org/abs/${paper.arxivId}`, `arXiv ${paper.arxivId}`));
  if (paper.doi) links.push(link(`https://doi.org/${paper.doi}`, 'DOI'));
  return links.length > 0 ? links.join(' · ') : escapeMrkdwn('No links known');
}

const FEASIBILITY_MARK = { yes: '✅', no: '❌', unclear: '❔' } as const;

export function feasibilityMark(verdict: 'yes' | 'no' | 'unclear'): string {
  return `${FEASIBILITY_MARK[verdict]} ${verdict}`;
}
