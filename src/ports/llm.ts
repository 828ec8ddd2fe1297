import type { z } from 'zod';

export type LlmContent =
  | { type: 'text'; text: string }
  /** A PDF given to the model as a document block (Bedrock Converse `document`, within its size limits). */
  | { type: 'document'; name: string; format: 'pdf'; bytes: Uint8Array };

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: LlmContent[];
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface StructuredRequest<T> {
  modelId: string;
  /** What the call is for, recorded in the cost ledger: `judge`, `codegen.plan`, `codegen.code`, ... */
  purpose: string;
  paperId?: string;
  /**
   * The papers one batched call serves (the judge puts several abstracts in one call). The ledger gets one
   * entry per paper with an even share of the call's tokens and cost. Takes precedence over `paperId`.
   */
  paperIds?: readonly string[];
  /** The stable prefix (instructions, research profile). Marked with a cache point so repeated calls reuse it. */
  system: string;
  messages: LlmMessage[];
  /**
   * Structured output through one forced tool. The reply's tool input is validated with `schema`;
   * on a mismatch the adapter asks once for a repair, then fails with a typed error.
   */
  tool: {
    name: string;
    description: string;
    schema: z.ZodType<T>;
    /**
     * The schema the model is shown, when `schema` adds checks that JSON Schema cannot carry (a refinement made
     * per call, such as the judge's batch keys): one shared object, converted to JSON Schema once, instead of a
     * conversion for every new refinement (about 15 ms of the event loop each). It must describe the same shape;
     * absent, the model is shown `schema`.
     */
    shownSchema?: z.ZodType;
  };
  maxTokens: number;
  temperature?: number;
}

export interface StructuredResult<T> {
  output: T;
  usage: LlmUsage;
  usd: number;
  /** Number of model calls made (2 when a repair was needed). */
  calls: number;
  modelId: string;
}

/** The LLM port. Adapter: Bedrock Converse (`src/adapters/bedrock/`). */
export interface Llm {
  structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>>;
}
