import type { KnownBlock } from '../domain/block-kit.js';
import type { PaperState } from '../domain/paper-state.js';
import type { Paper } from '../domain/paper.js';
import type { MessageContent } from './message-content.js';
import { escapeMrkdwn, link, LIMITS, truncate } from './mrkdwn.js';
import { fitLines } from './fit-lines.js';
import { venueLine } from './paper-facts.js';
import { threadUrl } from './slack-time.js';

/** The filters of a search as the answer repeats them (the paper store's `SearchFilters`). */
export interface SearchFilters {
  venue?: string;
  year?: number;
  state?: PaperState;
}

/** One found paper (the paper store's `SearchHit`; the score is not shown). */
export interface SearchHit {
  paper: Paper;
}

function describeQuery(text: string, filters: SearchFilters): string {
  const parts = [];
  if (text) parts.push(`“${escapeMrkdwn(text)}”`);
  if (filters.venue) parts.push(`venue ${escapeMrkdwn(filters.venue)}`);
  if (filters.year !== undefined) parts.push(`year ${filters.year}`);
  if (filters.state) parts.push(`status ${filters.state}`);
  return parts.join(', ');
}

function hitLine(hit: SearchHit): string {
  const { paper } = hit;
  const url = paper.forumUrl ?? (paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : paper.pdfUrl);
  const title = truncate(paper.title, 140);
  const titled = url ? `*${link(url, title)}*` : `*${escapeMrkdwn(title)}*`;
  const thread = paper.thread ? ` · <${threadUrl(paper.thread)}|thread>` : '';
  return `• ${titled}\n      ${escapeMrkdwn(venueLine(paper))} · \`${paper.state}\` · \`${paper.id}\`${thread}`;
}

/**
 * `/paper search` answer: one compact line pair per paper, with links (its thread too, when it has one) and
 * the id to use with `/paper status`. `more` says that more papers matched than are shown.
 */
export function searchResultsMessage(
  text: string,
  filters: SearchFilters,
  hits: readonly SearchHit[],
  options: { more?: boolean } = {},
): MessageContent {
  const query = describeQuery(text, filters);
  if (hits.length === 0) {
    return {
      text: `No papers match ${query}.`,
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `No papers match ${query}. Try fewer words, or drop a filter.` },
        },
      ],
    };
  }
  const lines = hits.map(hitLine);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${hits.length} paper${hits.length === 1 ? '' : 's'}* for ${query}` },
    },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: fitLines(lines, LIMITS.sectionText, (n) => `_…and ${n} more_`) },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: options.more
            ? 'More papers match: add words or a `venue:`, `year:` or `status:` filter. `/paper status <id>` shows a paper’s history.'
            : 'Use `/paper status <id>` for a paper’s history and links.',
        },
      ],
    },
  ];
  return { text: `${hits.length} papers for ${query}`, blocks };
}
