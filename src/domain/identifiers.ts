/**
 * Normalised identifiers. Deduplication across sources depends on these being stable:
 * the same arXiv preprint must give the same key whether it came from arXiv with a version suffix,
 * from an OpenReview note, or from a URL pasted into `/paper run`.
 */

const NEW_STYLE_ARXIV = /^(\d{4}\.\d{4,5})(v\d+)?$/;
const OLD_STYLE_ARXIV = /^([a-z-]+(?:\.[A-Z]{2})?\/\d{7})(v\d+)?$/i;

/** `2401.00001v3`, `arXiv:2401.00001`, `https://arxiv.org/abs/2401.00001v2`, `…/pdf/2401.00001.pdf` → `2401.00001`. */
export function normaliseArxivId(input: string): string | undefined {
  let text = input.trim();
  const url = text.match(/arxiv\.org\/(?:abs|pdf|html)\/([^?#\s]+)/i);
  if (url?.[1]) text = url[1];
  text = text.replace(/^arxiv:/i, '').replace(/\.pdf$/i, '');
  const modern = text.match(NEW_STYLE_ARXIV);
  if (modern?.[1]) return modern[1];
  const legacy = text.match(OLD_STYLE_ARXIV);
  if (legacy?.[1]) return legacy[1].toLowerCase();
  return undefined;
}

/** The version suffix of an arXiv id, if any (`2401.00001v3` → 3). */
export function arxivVersion(input: string): number | undefined {
  const match = input.trim().match(/v(\d+)(?:\.pdf)?$/i);
  return match?.[1] ? Number(match[1]) : undefined;
}

/** OpenReview forum/note id from a bare id or a `openreview.net/forum?id=…` / `pdf?id=…` URL. */
export function normaliseOpenReviewId(input: string): string | undefined {
  const text = input.trim();
  const url = text.match(/openreview\.net\/(?:forum|pdf|attachment)\?(?:.*&)?id=([A-Za-z0-9_-]+)/i);
  if (url?.[1]) return url[1];
  if (/^[A-Za-z0-9_-]{8,16}$/.test(text) && !NEW_STYLE_ARXIV.test(text)) return text;
  return undefined;
}

export function normaliseDoi(input: string): string | undefined {
  const match = input.trim().match(/(?:doi\.org\/|doi:)?(10\.\d{4,9}\/\S+)/i);
  return match?.[1]?.toLowerCase();
}

/**
 * A title key for fuzzy-exact dedup: case, accents, punctuation and whitespace removed.
 * "Attention Is All You Need!" and "attention is all you need" share a key.
 */
export function titleKey(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * What `cleanText` would change: a control character, whitespace other than one plain space, two spaces, or a
 * space at either end. Most text has none, and one test is cheaper than two replaces and a trim (ingest cleans
 * every text field of every paper).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const MESSY = /[\u0000-\u001F\u007F]|[^\S ]| {2}|^ | $/;

/** Control characters out, runs of whitespace collapsed: text that came from a PDF or an API is messy. */
export function cleanText(text: string): string {
  if (!MESSY.test(text)) return text;
  return (
    text
      // eslint-disable-next-line no-control-regex -- stripping control characters is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

export type PaperReference =
  | { kind: 'paper'; id: string }
  | { kind: 'arxiv'; id: string }
  | { kind: 'openreview'; id: string }
  | { kind: 'doi'; id: string };

/**
 * What a user may type after `/paper run` or `/paper status`: a Sherpa paper id (`p_…`), an arXiv id,
 * an OpenReview id, a DOI, or a URL of any of them.
 */
export function parsePaperReference(input: string): PaperReference | undefined {
  const text = input.trim().replace(/^<|>$/g, '').split('|')[0] ?? '';
  if (/^p_[a-z0-9]{6,}$/.test(text)) return { kind: 'paper', id: text };
  const arxiv = normaliseArxivId(text);
  if (arxiv) return { kind: 'arxiv', id: arxiv };
  const doi = text.includes('10.') ? normaliseDoi(text) : undefined;
  if (doi) return { kind: 'doi', id: doi };
  const openreview = normaliseOpenReviewId(text);
  if (openreview) return { kind: 'openreview', id: openreview };
  return undefined;
}
