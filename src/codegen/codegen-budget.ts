import { costOf, priceFor } from '../ports/llm-pricing.js';
import type { Config } from '../config/load-config.js';
import type { CoreDeps } from '../deps.js';
import type { Decision } from '../approvals/decide.js';
import type { PaperState } from '../domain/paper-state.js';
import { checkRunBudget } from '../runs/budget-guard.js';
import { codegenHeldMessage } from '../messages/codegen-held.js';
import { formatUsd } from '../messages/format-units.js';

/**
 * What one code generation costs before it starts, for the budget guard: plan (with the PDF), code and review
 * on the codegen model, at about these token counts (a 20-page PDF is ~40k input tokens; each step writes up to
 * 16k). Priced with the configured model price, so a price change moves the estimate with it.
 */
export const CODEGEN_TOKEN_ESTIMATE = { inputTokens: 60_000, outputTokens: 24_000 } as const;

export function estimateCodegenUsd(config: Pick<Config, 'bedrock'>): number {
  const price = priceFor(config.bedrock.prices, config.bedrock.codegenModelId);
  if (!price) return 0;
  return costOf({ ...CODEGEN_TOKEN_ESTIMATE, cacheReadTokens: 0, cacheWriteTokens: 0 }, price);
}

/** A code request held for the budget, kept until an approver overrides it (the button carries only the id). */
export interface CodegenHold {
  from: PaperState[];
  requestedBy: string;
  feedback?: string;
  artifactHash?: string;
  /** A held Port to GPU / Port to Trainium keeps its target backend (issue 12, item 5). */
  backend?: 'neuron' | 'cuda';
  heldAt: string;
}

export const codegenHoldKey = (paperId: string) => `codegen-held/${paperId}`;
/** A hold nobody overrides is forgotten after a week; the paper stays where it was. */
const HOLD_TTL_SECONDS = 7 * 86_400;

export type CodegenBudgetDeps = Pick<
  CoreDeps,
  'papers' | 'ledger' | 'clock' | 'config' | 'coordination' | 'chat' | 'logger'
>;

export interface HeldRequest {
  paperId: string;
  from: PaperState | readonly PaperState[];
  actor: string;
  feedback?: string;
  artifactHash?: string;
  backend?: 'neuron' | 'cuda';
}

/**
 * DAILY_BUDGET_USD guards code generation as it guards runs: when today's spend plus this request would pass
 * it, nothing is generated; the request is kept and the thread gets "over budget" with an approver-only
 * override. Returns the refusal to give the clicker, or undefined when the request may go ahead (within budget,
 * or the paper is no longer where the clicker saw it: then the state check answers who got there first).
 */
export async function holdIfOverBudget(
  deps: CodegenBudgetDeps,
  request: HeldRequest,
): Promise<Extract<Decision, { ok: false }> | undefined> {
  const paper = await deps.papers.get(request.paperId);
  const from: readonly PaperState[] = typeof request.from === 'string' ? [request.from] : request.from;
  if (!paper || !from.includes(paper.state)) return undefined;
  const budget = await checkRunBudget(deps, estimateCodegenUsd(deps.config));
  if (budget.withinBudget) return undefined;
  const hold: CodegenHold = {
    from: [...from],
    requestedBy: request.actor,
    heldAt: deps.clock.now().toISOString(),
    ...(request.feedback ? { feedback: request.feedback } : {}),
    ...(request.artifactHash ? { artifactHash: request.artifactHash } : {}),
    ...(request.backend ? { backend: request.backend } : {}),
  };
  await deps.coordination.put(codegenHoldKey(paper.id), hold, { ttlSeconds: HOLD_TTL_SECONDS });
  deps.logger.info(
    { paperId: paper.id, spentTodayUsd: budget.spentTodayUsd, estimateUsd: budget.estimateUsd },
    'code generation held: over the daily budget',
  );
  if (paper.thread) {
    await deps.chat
      .post({
        channel: paper.thread.channel,
        thread_ts: paper.thread.ts,
        ...codegenHeldMessage({
          paperId: paper.id,
          requestedBy: request.actor,
          spentTodayUsd: budget.spentTodayUsd,
          estimateUsd: budget.estimateUsd,
          limitUsd: budget.limitUsd,
        }),
      })
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, paperId: paper.id }, 'could not post the budget hold'),
      );
  }
  const where = paper.thread
    ? 'An approver can override it in the thread.'
    : 'Raise DAILY_BUDGET_USD or ask again tomorrow.';
  return {
    ok: false,
    paper,
    message:
      `⏸️ Over budget: ${formatUsd(budget.spentTodayUsd)} spent today + ≈${formatUsd(budget.estimateUsd)} for ` +
      `code generation would pass the daily budget of ${formatUsd(budget.limitUsd)}. Nothing was generated. ${where}`,
  };
}
