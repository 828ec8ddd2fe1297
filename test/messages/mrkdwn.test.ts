import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, link } from '../../src/messages/mrkdwn.js';

describe('escapeMrkdwn and link', () => {
  it('escapes the three characters Slack parses, so a mention or link is shown as typed', () => {
    expect(escapeMrkdwn('<!channel> <https://evil.example|click> & co')).toBe(
      '&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co',
    );
  });

  it('keeps a scraped URL from closing the link and opening a mention of its own', () => {
    expect(link('https://papers.example/a>b<!channel>|x.pdf', 'PDF')).toBe(
      '<https://papers.example/a%3Eb%3C!channel%3E%7Cx.pdf|PDF>',
    );
    expect(link('https://arxiv.org/abs/2401.00001', 'a <b> | c')).toBe(
      '<https://arxiv.org/abs/2401.00001|a &lt;b&gt; ¦ c>',
    );
  });

  it('shows a URL that is not http(s) as its label only', () => {
    expect(link('javascript:alert(1)', 'PDF')).toBe('PDF');
    expect(link('<!channel>', 'Forum')).toBe('Forum');
  });
});
