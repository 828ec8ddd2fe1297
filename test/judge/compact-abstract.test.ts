import { describe, expect, it } from 'vitest';
import { compactAbstract } from '../../src/judge/compact-abstract.js';

describe('compactAbstract', () => {
  it('keeps a short abstract as it is, whitespace collapsed', () => {
    expect(compactAbstract('  We propose   X.\nIt is fast. ', 200)).toBe('We propose X. It is fast.');
  });

  it('drops sentences that only point at code or a project page', () => {
    const text =
      'We propose X. Code is available at https://github.com/a/b. Our project page is www.x.org. X is fast.';
    expect(compactAbstract(text, 500)).toBe('We propose X. X is fast.');
  });

  it('cuts a long abstract at the last sentence end that fits', () => {
    const text = `${'A'.repeat(80)}. ${'B'.repeat(10)}. ${'C'.repeat(60)}.`;
    expect(compactAbstract(text, 100)).toBe(`${'A'.repeat(80)}. ${'B'.repeat(10)}.`);
  });

  it('cuts at a word with an ellipsis when no sentence ends late enough', () => {
    const text = `Short. ${'word '.repeat(60)}end.`;
    const cut = compactAbstract(text, 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).toMatch(/^Short\. word word .*word…$/);
  });

  it('keeps the text when every sentence is a pointer (nothing else to judge)', () => {
    expect(compactAbstract('See https://x.org.', 100)).toBe('See https://x.org.');
  });
});
