import { describe, expect, it } from 'vitest';
import { fitLines } from '../../src/messages/fit-lines.js';

const more = (n: number) => `…and ${n} more`;

describe('fitLines', () => {
  it('keeps whole lines up to the budget and counts the rest', () => {
    expect(fitLines(['aaaa', 'bbbb', 'cccc', 'dddd'], 22, more)).toBe('aaaa\nbbbb\n…and 2 more');
    expect(fitLines(['aaaa', 'bbbb'], 100, more)).toBe('aaaa\nbbbb');
  });

  it('counts lines it was not given when told the total (only the first lines were formatted)', () => {
    expect(fitLines(['aaaa', 'bbbb'], 100, more, 5)).toBe('aaaa\nbbbb\n…and 3 more');
    expect(fitLines(['aaaa', 'bbbb', 'cccc', 'dddd'], 22, more, 40)).toBe('aaaa\n…and 39 more');
  });
});
