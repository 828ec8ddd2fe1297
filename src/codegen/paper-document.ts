import { createHash } from 'node:crypto';
import type { Paper } from '../domain/paper.js';
import { downloadUrlFor, type DownloadHosts } from '../papers/download-url.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';

/** Bedrock Converse accepts documents up to 4.5 MB each (aws.md §1). */
export const MAX_PDF_BYTES = 4_500_000;
const FETCH_TIMEOUT_MS = 30_000;

export type PaperDocument =
  | { kind: 'pdf'; bytes: Uint8Array; url: string; cached: boolean }
  /** The PDF could not be used; `warning` says why, and is shown in the thread. */
  | { kind: 'abstract'; warning: string };

export interface PaperDocumentDeps {
  blobs: BlobStore;
  logger: Logger;
  /** Where each public PDF host is downloaded from (OPENREVIEW_WEB_URL, ARXIV_PDF_URL, MLSYS_PROCEEDINGS_URL). */
  config: { sources: DownloadHosts };
  /** Injected so tests can count requests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** Where the PDF is: the source's own link, else the arXiv or OpenReview PDF URL for the paper's ids. */
export function pdfUrlOf(paper: Pick<Paper, 'pdfUrl' | 'arxivId' | 'openreviewId'>): string | undefined {
  if (paper.pdfUrl) return paper.pdfUrl;
  if (paper.arxivId) return `https://arxiv.org/pdf/${paper.arxivId}`;
  if (paper.openreviewId) return `https://openreview.net/pdf?id=${paper.openreviewId}`;
  return undefined;
}

export function pdfBlobKey(url: string): string {
  return `pdf/${createHash('sha256').update(url).digest('hex')}.pdf`;
}

class UnusablePdf extends Error {}

/**
 * The paper's PDF for code generation, fetched lazily (only papers that reach this step) and cached in the
 * blob store by URL hash. Anything that keeps the PDF from Claude (no URL, HTTP error, an HTML challenge page,
 * over Bedrock's document limit, timeout) falls back to the abstract with a visible warning.
 */
export async function loadPaperDocument(paper: Paper, deps: PaperDocumentDeps): Promise<PaperDocument> {
  const url = pdfUrlOf(paper);
  if (!url)
    return {
      kind: 'abstract',
      warning: 'No PDF link is known for this paper; the code is based on the abstract only.',
    };
  const key = pdfBlobKey(url);
  const cached = await deps.blobs.get(key);
  if (cached) return { kind: 'pdf', bytes: cached, url, cached: true };
  // The cache key stays the public link, so moving the download host does not fetch every PDF again.
  const from = downloadUrlFor(url, deps.config.sources);
  try {
    const bytes = await downloadPdf(from, deps.fetch ?? fetch);
    await deps.blobs.putIfAbsent(key, bytes, { contentType: 'application/pdf' });
    return { kind: 'pdf', bytes, url, cached: false };
  } catch (error) {
    const reason =
      error instanceof UnusablePdf ? error.message : `the download failed (${(error as Error).message})`;
    deps.logger.warn(
      { err: error, paperId: paper.id, url: from },
      'PDF not usable; falling back to the abstract',
    );
    return {
      kind: 'abstract',
      warning: `The PDF could not be used: ${reason}. This code is based on the abstract only.`,
    };
  }
}

async function downloadPdf(url: string, fetchPdf: typeof fetch): Promise<Uint8Array> {
  const response = await fetchPdf(url, {
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    headers: { accept: 'application/pdf', 'user-agent': 'Sherpa paper bot (code generation)' },
    redirect: 'follow',
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new UnusablePdf(`${url} answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_PDF_BYTES) {
    await response.body?.cancel();
    throw new UnusablePdf(`it is ${megabytes(declared)}, over Bedrock's 4.5 MB document limit`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_PDF_BYTES) throw new UnusablePdf(`it is over Bedrock's 4.5 MB document limit`);
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  // A challenge page or an error page served with 200 is not a paper.
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new UnusablePdf(
      `${url} did not return a PDF (got ${response.headers.get('content-type') ?? 'no content type'})`,
    );
  }
  return new Uint8Array(bytes);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
