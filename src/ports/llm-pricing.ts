import type { LlmUsage } from './llm.js';

/**
 * How the Llm port's usage is priced, shared by the adapter (which reports each call's cost) and by the budget
 * estimates of the stages (`codegen/codegen-budget.ts`). Pure arithmetic over the configured price table.
 */

/** USD per million tokens (the configuration's `bedrock.prices` entries have this shape). */
export interface TokenPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number | undefined;
  cacheWritePerMTok?: number | undefined;
}

/** Geographic and global inference-profile prefixes (aws.md §1): `us.anthropic.…` prices as `anthropic.…`. */
const PROFILE_PREFIX = /^(us|eu|apac|jp|au|ca|us-gov|global)\./;

/**
 * The price of a model id: an exact entry first, then the same model under another profile prefix, so a price
 * table keyed by `us.…` also prices `global.…` and the bare id.
 */
export function priceFor(prices: Record<string, TokenPrice>, modelId: string): TokenPrice | undefined {
  const exact = prices[modelId];
  if (exact) return exact;
  const base = modelId.replace(PROFILE_PREFIX, '');
  for (const [id, price] of Object.entries(prices)) {
    if (id.replace(PROFILE_PREFIX, '') === base) return price;
  }
  return undefined;
}

/**
 * USD for one call. Bedrock reports cached tokens apart from `inputTokens` (as Anthropic does), so the three
 * input counts are priced separately; without explicit cache prices, reads cost 0.1× and writes 1.25× input.
 */
export function costOf(usage: LlmUsage, price: TokenPrice): number {
  const cacheRead = price.cacheReadPerMTok ?? price.inputPerMTok * 0.1;
  const cacheWrite = price.cacheWritePerMTok ?? price.inputPerMTok * 1.25;
  return (
    (usage.inputTokens * price.inputPerMTok +
      usage.outputTokens * price.outputPerMTok +
      usage.cacheReadTokens * cacheRead +
      usage.cacheWriteTokens * cacheWrite) /
    1_000_000
  );
}

export const ZERO_USAGE: LlmUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
};

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

/**
 * Split one call's usage over the papers it judged, in whole tokens that sum exactly to the call's usage
 * (the first papers absorb the remainder), and its cost in proportion.
 */
export function splitUsage(
  usage: LlmUsage,
  usd: number,
  parts: number,
): Array<{ usage: LlmUsage; usd: number }> {
  const share = (total: number, index: number): number =>
    Math.floor(total / parts) + (index < total % parts ? 1 : 0);
  return Array.from({ length: parts }, (_, index) => ({
    usage: {
      inputTokens: share(usage.inputTokens, index),
      outputTokens: share(usage.outputTokens, index),
      cacheReadTokens: share(usage.cacheReadTokens, index),
      cacheWriteTokens: share(usage.cacheWriteTokens, index),
    },
    usd: usd / parts,
  }));
}
