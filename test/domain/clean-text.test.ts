import { describe, expect, it } from 'vitest';
import { cleanText } from '../../src/domain/identifiers.js';

/** The definition cleanText's quick test must agree with (issue 14 added the test in front of it). */
function reference(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- the same control characters as cleanText
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

describe('cleanText', () => {
  it('leaves clean text as it is and cleans everything else like the plain definition', () => {
    const samples = [
      '',
      ' ',
      'Attention is all you need',
      'Title with\u0002 a control character',
      'two  spaces',
      ' leading',
      'trailing ',
      'tab\there',
      'new\nline and\r\ncarriage',
      'no\u00a0break and\u2003em space',
      '\u0007',
      'a \u0008 b',
      'Ünïcödé → 注意 😀',
      'line\u2028separator',
    ];
    // And every pair of characters from a set that covers each branch of the quick test.
    const pieces = ['a', ' ', '\t', '\n', '\u0002', '\u00a0', 'é', '\u007f'];
    for (const x of pieces) for (const y of pieces) for (const z of pieces) samples.push(x + y + z);
    for (const text of samples) expect(cleanText(text), JSON.stringify(text)).toBe(reference(text));
  });
});
