import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';
import { downloadUrlFor } from '../../src/papers/download-url.js';

const BASE_ENV = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_APP_TOKEN: 'xapp-1-A1-2-abc',
  SLACK_CHANNEL: 'C0123456789',
  APPROVERS: 'U0APPROVER1',
};

const sourcesFor = (env: Record<string, string> = {}) => loadConfig({ ...BASE_ENV, ...env }).sources;

describe('downloadUrlFor', () => {
  it('leaves every link as it is with the default hosts', () => {
    const sources = sourcesFor();
    for (const url of [
      'https://openreview.net/pdf/0a1b2c.pdf',
      'https://arxiv.org/pdf/2104.12255v1',
      'https://proceedings.mlsys.org/paper_files/paper/2024/file/abc-Paper-Conference.pdf',
      'https://example.org/paper.pdf',
    ]) {
      expect(downloadUrlFor(url, sources)).toBe(url);
    }
  });

  it('moves each public PDF host onto its setting, keeping path and query', () => {
    const sources = sourcesFor({
      OPENREVIEW_WEB_URL: 'http://127.0.0.1:8101',
      ARXIV_PDF_URL: 'http://127.0.0.1:8102/mirror/',
      MLSYS_PROCEEDINGS_URL: 'http://127.0.0.1:8103',
    });
    expect(downloadUrlFor('https://openreview.net/pdf/0a1b2c.pdf', sources)).toBe(
      'http://127.0.0.1:8101/pdf/0a1b2c.pdf',
    );
    expect(downloadUrlFor('https://openreview.net/pdf?id=AbC123', sources)).toBe(
      'http://127.0.0.1:8101/pdf?id=AbC123',
    );
    expect(downloadUrlFor('http://arxiv.org/pdf/2104.12255v1', sources)).toBe(
      'http://127.0.0.1:8102/mirror/pdf/2104.12255v1',
    );
    expect(downloadUrlFor('https://export.arxiv.org/pdf/2104.12255', sources)).toBe(
      'http://127.0.0.1:8102/mirror/pdf/2104.12255',
    );
    expect(
      downloadUrlFor(
        'https://proceedings.mlsys.org/paper_files/paper/2024/file/abc-Paper-Conference.pdf',
        sources,
      ),
    ).toBe('http://127.0.0.1:8103/paper_files/paper/2024/file/abc-Paper-Conference.pdf');
    // A host Sherpa does not know is never rewritten, nor is a look-alike.
    expect(downloadUrlFor('https://notopenreview.net/pdf/x.pdf', sources)).toBe(
      'https://notopenreview.net/pdf/x.pdf',
    );
    expect(downloadUrlFor('not a url', sources)).toBe('not a url');
  });

  it('refuses a download host that is not an http(s) URL, naming the variable', () => {
    expect(() => sourcesFor({ OPENREVIEW_WEB_URL: 'openreview.net', ARXIV_PDF_URL: 'ftp://x' })).toThrow(
      ConfigError,
    );
    try {
      sourcesFor({ OPENREVIEW_WEB_URL: 'openreview.net', ARXIV_PDF_URL: 'ftp://x' });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('OPENREVIEW_WEB_URL is not valid ("openreview.net")');
      expect(problems).toContain('ARXIV_PDF_URL is not valid ("ftp://x")');
    }
  });
});
