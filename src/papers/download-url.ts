import type { Config } from '../config/load-config.js';

/**
 * The public hosts Sherpa downloads paper PDFs from, and the setting that redirects each one. Stored links stay
 * the public ones (people click them in Slack); only the download goes to the configured host, so a mirror, an
 * egress proxy or a loopback fake in tests can serve the PDF (issue 11, item 8).
 */
const PUBLIC_HOSTS = {
  openreview: ['openreview.net', 'www.openreview.net'],
  arxiv: ['arxiv.org', 'www.arxiv.org', 'export.arxiv.org'],
  mlsys: ['proceedings.mlsys.org'],
} as const;

export type DownloadHosts = Pick<Config['sources'], 'openreview' | 'arxiv' | 'mlsys'>;

/** The configured base for each public host: OPENREVIEW_WEB_URL, ARXIV_PDF_URL, MLSYS_PROCEEDINGS_URL. */
function basesOf(sources: DownloadHosts): [readonly string[], string][] {
  return [
    [PUBLIC_HOSTS.openreview, sources.openreview.webUrl],
    [PUBLIC_HOSTS.arxiv, sources.arxiv.pdfUrl],
    [PUBLIC_HOSTS.mlsys, sources.mlsys.proceedingsUrl],
  ];
}

/**
 * Where to download `url` from: a link on one of the public hosts is moved onto its configured base (keeping its
 * path and query); any other link is left as it is. With the defaults this returns `url` unchanged.
 */
export function downloadUrlFor(url: string, sources: DownloadHosts): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  for (const [hosts, base] of basesOf(sources)) {
    if (!hosts.includes(parsed.hostname as never)) continue;
    return `${base.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`;
  }
  return url;
}
