import type { Paper } from '../../domain/paper.js';
import type { LlmContent } from '../../ports/llm.js';
import type { PaperDocument } from '../paper-document.js';

/** Previous code is shown in full up to this size; a regeneration rarely needs more to see what to change. */
const PREVIOUS_CODE_CHARS = 24_000;

export interface GenerationRequest {
  /** The accelerator to write for (issue 12, item 5); Trainium when left out. */
  backend?: 'neuron' | 'cuda';
  /** Free text from "Regenerate with feedback", or a run failure to fix. */
  feedback?: string;
  /** The current version's code, when this is a regeneration. */
  previousCode?: string;
  previousVersion?: number;
}

/** Title, venue, abstract and the judge's suggested experiment: what every call knows about the paper. */
export function paperSummary(paper: Paper): string {
  const lines = [
    `Title: ${paper.title}`,
    `Venue: ${paper.venueLabel ?? `${paper.venue} ${paper.year}`}`,
    `Authors: ${paper.authors.slice(0, 10).join(', ')}`,
    `Abstract: ${paper.abstract}`,
  ];
  if (paper.verdict?.smallestExperiment)
    lines.push(`Suggested smallest experiment: ${paper.verdict.smallestExperiment}`);
  if (paper.verdict?.feasibility) {
    lines.push(
      `Trainium feasibility (judge): ${paper.verdict.feasibility.verdict}: ${paper.verdict.feasibility.reason}`,
    );
  }
  return lines.join('\n');
}

export function regenerationText(request: GenerationRequest): string {
  const parts: string[] = [];
  if (request.feedback) parts.push(`Feedback from the team, which takes precedence:\n${request.feedback}`);
  if (request.previousCode) {
    const code =
      request.previousCode.length > PREVIOUS_CODE_CHARS
        ? `${request.previousCode.slice(0, PREVIOUS_CODE_CHARS)}\n# … (truncated)`
        : request.previousCode;
    parts.push(
      `The previous version (v${request.previousVersion ?? '?'}) of train.py:\n\`\`\`python\n${code}\n\`\`\``,
    );
  }
  return parts.join('\n\n');
}

/** The PDF as a Converse document block (neutral name: Bedrock rejects dots and underscores, aws.md §1). */
export function documentContent(document: PaperDocument): LlmContent[] {
  return document.kind === 'pdf'
    ? [{ type: 'document', name: 'paper', format: 'pdf', bytes: document.bytes }]
    : [];
}
