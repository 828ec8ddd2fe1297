import { load } from 'cheerio';

export { pdfUrlFromAbstractUrl } from './proceedings-urls.js';

/**
 * proceedings.mlsys.org runs the same software as proceedings.neurips.cc (research/sources.md §3, §4.2):
 * a year page lists `<li><div class="paper-content"><a href="…/hash/<md5>-Abstract[-suffix].html">Title</a>
 * <span class="paper-authors">…</span></div></li>`. Older renderings put authors in `<i>`. Parsed with cheerio,
 * anchored on the abstract links rather than on list classes, which change with the site theme.
 */
export interface ListingEntry {
  /** The md5 in the URL: stable across site redesigns, used as the source id. */
  hash: string;
  title: string;
  authors: string[];
  abstractUrl: string;
}

const ABSTRACT_HREF = /\/hash\/([0-9a-f]{32})-Abstract[^/]*\.html$/i;

export function parseYearListing(html: string, baseUrl: string): ListingEntry[] {
  const $ = load(html);
  const entries: ListingEntry[] = [];
  const seen = new Set<string>();
  $('a[href*="/hash/"]').each((_, anchor) => {
    const href = $(anchor).attr('href') ?? '';
    const hash = href.match(ABSTRACT_HREF)?.[1]?.toLowerCase();
    if (!hash || seen.has(hash)) return;
    seen.add(hash);
    const item = $(anchor).closest('li');
    const authorsText = item.find('.paper-authors').first().text() || item.find('i').first().text();
    entries.push({
      hash,
      title: $(anchor).text(),
      authors: splitAuthors(authorsText),
      abstractUrl: new URL(href, baseUrl).toString(),
    });
  });
  return entries;
}

export function splitAuthors(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

export interface AbstractPage {
  abstract: string | undefined;
  pdfUrl: string | undefined;
  doi: string | undefined;
  authors: string[];
  publishedAt: string | undefined;
}

/** The abstract page: `citation_*` meta tags (Google Scholar's convention) and `p.paper-abstract`. */
export function parseAbstractPage(html: string, baseUrl: string): AbstractPage {
  const $ = load(html);
  const meta = (name: string) => $(`meta[name="${name}"]`).attr('content')?.trim() || undefined;
  const abstract =
    $('p.paper-abstract').first().text() ||
    $('h4:contains("Abstract")').first().nextAll('p').first().text() ||
    undefined;
  const pdfHref =
    meta('citation_pdf_url') ?? $('a[href$="-Paper.pdf"], a[href*="-Paper-"]').first().attr('href');
  const date = meta('citation_publication_date');
  return {
    abstract: abstract?.trim() || undefined,
    pdfUrl: pdfHref ? new URL(pdfHref, baseUrl).toString() : undefined,
    doi: meta('citation_doi'),
    authors: $('meta[name="citation_author"]')
      .map((_, element) => $(element).attr('content')?.trim() ?? '')
      .get()
      .filter(Boolean),
    publishedAt: date && !Number.isNaN(Date.parse(date)) ? new Date(date).toISOString() : undefined,
  };
}
