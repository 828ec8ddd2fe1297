import { type BedrockRuntimeClient, ConverseCommand, type Message } from '@aws-sdk/client-bedrock-runtime';
import type { ModelPrice } from '../../config/config-file.js';
import type { Logger } from '../../logging/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { CostLedger } from '../../ports/cost-ledger.js';
import type { Llm, LlmUsage, StructuredRequest, StructuredResult } from '../../ports/llm.js';
import { SchemaError } from '../../errors.js';
import type { AdaptiveLimiter } from './adaptive-limiter.js';
import { toConverseInput, toSdkMessages } from './converse-request.js';
import { classifyBedrockError } from './error-mapping.js';
import { LlmOutputInvalidError } from './errors.js';
import { addUsage, costOf, priceFor, splitUsage, ZERO_USAGE } from '../../ports/llm-pricing.js';
import { readToolReply } from './read-tool-reply.js';
import { type ConverseReply, ConverseReplySchema } from './schema.js';

export interface RetryPolicy {
  /** Tries per Converse call for throttles and 5xx before the typed transient error is thrown. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 20_000 };

export interface BedrockLlmOptions {
  client: BedrockRuntimeClient;
  prices: Record<string, ModelPrice>;
  ledger: CostLedger;
  logger: Logger;
  clock: Clock;
  limiter: AdaptiveLimiter;
  retry?: Partial<RetryPolicy>;
  /** Injected so tests and benchmarks control backoff time. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface CallResult {
  reply: ConverseReply;
  usage: LlmUsage;
  usd: number;
}

/**
 * The `Llm` port on Bedrock Converse: a forced tool validated with zod (one repair, then a typed failure),
 * a cache point after the system prefix, adaptive concurrency with jittered retries on throttling, and every
 * call priced and written to the cost ledger against its paper(s).
 */
export class BedrockLlm implements Llm {
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly unpricedWarned = new Set<string>();

  constructor(private readonly options: BedrockLlmOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** Close the client's HTTP/2 sessions (on shutdown; the adapter is unusable afterwards). */
  close(): void {
    this.options.client.destroy();
  }

  async structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const messages = toSdkMessages(request.messages);
    let usage = ZERO_USAGE;
    let usd = 0;
    for (let call = 1; ; call += 1) {
      const result = await this.converse(request, messages);
      usage = addUsage(usage, result.usage);
      usd += result.usd;
      const reply = readToolReply(result.reply, request);
      if (reply.ok) return { output: reply.output, usage, usd, calls: call, modelId: request.modelId };
      if (call >= 2) {
        throw new LlmOutputInvalidError(request.modelId, reply.issues, {
          context: { purpose: request.purpose, paperId: request.paperId },
        });
      }
      this.options.logger.warn(
        {
          modelId: request.modelId,
          purpose: request.purpose,
          paperId: request.paperId,
          issues: reply.issues,
        },
        'LLM reply broke the schema; asking once for a repair',
      );
      messages.push(...reply.repairTurns);
    }
  }

  /** One Converse call through the limiter, retried on throttling and 5xx, priced and recorded. */
  private async converse<T>(request: StructuredRequest<T>, messages: Message[]): Promise<CallResult> {
    const input = toConverseInput(request, [...messages]);
    const { limiter, logger } = this.options;
    for (let attempt = 1; ; attempt += 1) {
      let ticket = { generation: 0 };
      try {
        const raw = await limiter.run((t) => {
          ticket = t;
          return this.options.client.send(new ConverseCommand(input));
        });
        limiter.onSuccess();
        return await this.record(request, raw);
      } catch (error) {
        if (error instanceof SchemaError) throw error;
        const failure = classifyBedrockError(error, request.modelId);
        if (failure.kind === 'final') throw failure.error;
        if (failure.kind === 'throttle') limiter.onThrottle(ticket);
        if (attempt >= this.retry.maxAttempts) throw failure.error;
        const delay = this.backoff(attempt);
        logger.debug(
          { modelId: request.modelId, attempt, delayMs: delay, limit: limiter.limit, kind: failure.kind },
          'Bedrock call failed; retrying',
        );
        await this.sleep(delay);
      }
    }
  }

  /** Full jitter (the AWS architecture blog's recommendation): spreads retries of a throttled burst. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }

  private async record<T>(request: StructuredRequest<T>, raw: unknown): Promise<CallResult> {
    const parsed = ConverseReplySchema.safeParse(raw);
    if (!parsed.success) throw new SchemaError('A Bedrock Converse response', parsed.error.message);
    const reply = parsed.data;
    const usage: LlmUsage = {
      inputTokens: reply.usage.inputTokens,
      outputTokens: reply.usage.outputTokens,
      cacheReadTokens: reply.usage.cacheReadInputTokens ?? 0,
      cacheWriteTokens: reply.usage.cacheWriteInputTokens ?? 0,
    };
    const price = priceFor(this.options.prices, request.modelId);
    if (!price && !this.unpricedWarned.has(request.modelId)) {
      this.unpricedWarned.add(request.modelId);
      this.options.logger.warn(
        { modelId: request.modelId },
        'No price for this model in config (prices.models); its calls are recorded at $0',
      );
    }
    const usd = price ? costOf(usage, price) : 0;
    await this.writeLedger(request, usage, usd);
    return { reply, usage, usd };
  }

  private async writeLedger<T>(request: StructuredRequest<T>, usage: LlmUsage, usd: number): Promise<void> {
    const at = this.options.clock.now().toISOString();
    const paperIds = request.paperIds?.length ? request.paperIds : [request.paperId];
    const shares = splitUsage(usage, usd, paperIds.length);
    try {
      for (const [index, paperId] of paperIds.entries()) {
        const share = shares[index] ?? { usage: ZERO_USAGE, usd: 0 };
        await this.options.ledger.record({
          at,
          ...(paperId ? { paperId } : {}),
          kind: 'llm',
          resource: request.modelId,
          purpose: request.purpose,
          inputTokens: share.usage.inputTokens,
          outputTokens: share.usage.outputTokens,
          cacheReadTokens: share.usage.cacheReadTokens,
          cacheWriteTokens: share.usage.cacheWriteTokens,
          usd: share.usd,
        });
      }
    } catch (error) {
      // The tokens are spent either way; losing the answer too would cost twice.
      this.options.logger.error(
        { err: error, modelId: request.modelId, purpose: request.purpose },
        'Could not record LLM cost in the ledger',
      );
    }
  }
}
