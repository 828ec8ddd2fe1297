import { readFileSync } from 'node:fs';
import { toolUse, type FakeReply, type RecordedConverse, type Responder } from './fake-bedrock.js';

/** A real-looking script that passes every check (test/fixtures/codegen/good-train.py). */
export const GOOD_SCRIPT = readFileSync(
  new URL('../fixtures/codegen/good-train.py', import.meta.url),
  'utf8',
);

export const SAMPLE_PLAN = {
  idea: 'Gate the attention output with a learned sigmoid so that each head can switch itself off.',
  experiment:
    'Train a tiny language model with and without the gate for 200 steps and compare loss and perplexity.',
  details:
    'Gate g = sigmoid(W_g x); output = LayerNorm(x + g * Attention(x)). AdamW, lr 3e-4, batch 8, seq 128.',
  model: 'One gated attention block, width 256, 4 heads, vocabulary 1024 (about 1M parameters).',
  data: { kind: 'synthetic', description: 'Random token sequences of length 129.' },
  metrics: ['perplexity', 'tokens_per_second'],
  objective: { metric: 'perplexity', direction: 'min' },
  trainiumNotes: ['Fixed batch and sequence length', 'loss.item() only every 10 steps'],
};

export interface CodegenScript {
  plan?: FakeReply;
  code?: FakeReply;
  review?: FakeReply;
}

/** The three code-generation replies by tool, so a test states only what differs from the happy path. */
export function codegenResponder(script: CodegenScript = {}): Responder {
  return (request: RecordedConverse) => {
    switch (request.toolName) {
      case 'record_plan':
        return script.plan ?? toolUse(SAMPLE_PLAN, { inputTokens: 9000, outputTokens: 600 });
      case 'record_script':
        return (
          script.code ?? toolUse({ code: GOOD_SCRIPT, notes: 'Synthetic tokens.' }, { outputTokens: 2500 })
        );
      case 'record_review':
        return script.review ?? toolUse({ verdict: 'ok', issues: [] }, { outputTokens: 40 });
      default:
        throw new Error(`unexpected tool ${request.toolName}`);
    }
  };
}

/** The text of a recorded request's first user message, and whether it carried the PDF. */
export function userMessageOf(request: RecordedConverse | undefined): { text: string; hasDocument: boolean } {
  // Wire JSON: content blocks are `{ text }` or `{ document }`.
  const content: { text?: string; document?: unknown }[] = request?.body.messages?.[0]?.content ?? [];
  return {
    text: content.map((block) => block.text ?? '').join('\n'),
    hasDocument: content.some((block) => block.document !== undefined),
  };
}

/** Bytes a PDF reader would accept as the start of a PDF (the fetcher checks the magic). */
export const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
