import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GATED_ATTENTION_PDF } from '../support/pdf-fixture.js';

const hasPdfToText = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The fixture is a well-formed PDF, not only bytes that start with the magic a fetcher checks. */
describe('the PDF fixture', () => {
  const text = GATED_ATTENTION_PDF.toString('latin1');

  it('has a cross-reference table whose every offset lands on its object, and startxref on the table', () => {
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
    const table = /xref\n0 (\d+)\n((?:\d{10} \d{5} [fn] \n)+)/.exec(text.slice(startxref));
    const count = Number(table?.[1]);
    const entries = (table?.[2] ?? '').trim().split('\n');
    expect(entries).toHaveLength(count);
    entries.slice(1).forEach((entry, index) => {
      const offset = Number(entry.slice(0, 10));
      expect(text.slice(offset, offset + 8)).toBe(`${index + 1} 0 obj\n`);
    });
    const length = Number(/\/Length (\d+) >>\nstream\n/.exec(text)?.[1]);
    const streamStart = text.indexOf('stream\n') + 'stream\n'.length;
    expect(text.slice(streamStart + length, streamStart + length + 9)).toBe('endstream');
  });

  it.skipIf(!hasPdfToText)('reads as text with poppler (skipped: pdftotext is not installed)', () => {
    const extracted = execFileSync('pdftotext', ['-', '-'], { input: GATED_ATTENTION_PDF }).toString();
    expect(extracted).toContain('Gated Attention for Small Language Models');
    expect(extracted).toContain('g = sigmoid(W_g x)');
  });
});
