import { readFileSync } from 'node:fs';

/** A real one-page PDF with text (test/fixtures/pdf/SOURCES.md says how it was written and checked). */
export const GATED_ATTENTION_PDF = readFileSync(
  new URL('../fixtures/pdf/gated-attention.pdf', import.meta.url),
);
