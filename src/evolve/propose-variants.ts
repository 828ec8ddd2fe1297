import type { ZodType } from 'zod';
import type { CodeBackend } from '../codegen/checks/inspect-script.js';
import type { CodeCheckReport } from '../codegen/checks/run-code-checks.js';
import type { Logger } from '../logging/logger.js';
import type { Llm, LlmMessage, StructuredResult } from '../ports/llm.js';
import { applyVariantDiff } from './apply-variant-diff.js';
import { PROPOSE_PURPOSE } from './cost-estimate.js';
import type { VariantLabel } from '../domain/evolve-search.js';
import {
  proposalMessages,
  REPAIR_TOOL,
  repairMessages,
  variantsTool,
  type Proposal,
  type ProposalContext,
} from './variant-prompt.js';

export interface ProposeDeps {
  llm: Llm;
  modelId: string;
  /** The code-generation system prompt of the search's target (its device rules), as a code version gets. */
  systemFor: (backend: CodeBackend) => string;
  /** The checks any code version of that backend passes (syntax, contract, the backend's rules, the objective). */
  check: (
    code: string,
    options: { backend: CodeBackend; objectiveMetric: string },
  ) => Promise<CodeCheckReport>;
  logger: Logger;
}

export interface ProposedVariant {
  label: VariantLabel;
  strategy: string;
  diff: string;
  repaired: boolean;
  /** The applied, checked script; absent when the variant was dropped. */
  code?: string;
  checks?: CodeCheckReport['checks'];
  dropReason?: string;
}

export interface ProposalOutcome {
  variants: ProposedVariant[];
  /** Model calls made, counting the adapter's own schema repairs. */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

const MAX_TOKENS = 16_000;

/** Why a checked script is refused, in one line for the repair prompt and the thread. */
function checkFailure(report: CodeCheckReport): string {
  return report.checks
    .filter((check) => !check.passed)
    .map((check) => `${check.name}${check.detail ? ` (${check.detail})` : ''}`)
    .join('; ')
    .slice(0, 600);
}

async function applyAndCheck(
  deps: ProposeDeps,
  context: ProposalContext,
  diff: string,
): Promise<{ ok: true; code: string; checks: CodeCheckReport['checks'] } | { ok: false; reason: string }> {
  const applied = applyVariantDiff(context.parentCode, diff);
  if (!applied.ok) return applied;
  // Checked against the search's target, never always Neuron: a CUDA search's variants keep CUDA's rules.
  const { target, objective } = context.search.settings;
  const report = await deps.check(applied.code, { backend: target, objectiveMetric: objective.metric });
  if (!report.passed) return { ok: false, reason: `fails the checks: ${checkFailure(report)}` };
  return { ok: true, code: applied.code, checks: report.checks };
}

/**
 * A generation's variants (issue 13, item 3): one call returns N diffs against the parent; each is applied
 * and checked like any code version; those that fail get one repair turn, all together, in the same
 * conversation (so a generation makes at most two calls), and any still failing are dropped with the reason.
 */
export async function proposeVariants(
  deps: ProposeDeps,
  context: ProposalContext & { paperId: string },
): Promise<ProposalOutcome> {
  const results: StructuredResult<unknown>[] = [];
  const call = async <T>(
    messages: LlmMessage[],
    tool: { name: string; description: string; schema: ZodType<T> },
  ) => {
    const result = await deps.llm.structured({
      modelId: deps.modelId,
      purpose: PROPOSE_PURPOSE,
      paperId: context.paperId,
      system: deps.systemFor(context.search.settings.target),
      messages,
      tool,
      maxTokens: MAX_TOKENS,
      temperature: 0.7,
    });
    results.push(result);
    return result.output;
  };

  const first = proposalMessages(context);
  const { variants: proposals } = await call(first, variantsTool(context.labels));
  const outcomes = await Promise.all(
    proposals.map((proposal) => applyAndCheck(deps, context, proposal.diff)),
  );
  const failures = outcomes.flatMap((outcome, index) =>
    outcome.ok ? [] : [{ index, reason: outcome.reason }],
  );
  const repaired = new Map<number, string>();
  if (failures.length > 0) {
    const { repairs } = await call(repairMessages(first, proposals, failures), REPAIR_TOOL);
    for (const repair of repairs) {
      if (failures.some((failure) => failure.index === repair.index)) repaired.set(repair.index, repair.diff);
    }
  }
  const variants = await Promise.all(
    proposals.map(async (proposal: Proposal, index): Promise<ProposedVariant> => {
      const outcome = outcomes[index];
      const base = { label: proposal.label, strategy: proposal.strategy.replace(/\s+/g, ' ').trim() };
      if (outcome?.ok)
        return { ...base, diff: proposal.diff, repaired: false, code: outcome.code, checks: outcome.checks };
      const firstReason = outcome && !outcome.ok ? outcome.reason : 'not checked';
      const repairDiff = repaired.get(index);
      if (repairDiff === undefined)
        return {
          ...base,
          diff: proposal.diff,
          repaired: false,
          dropReason: `${firstReason}; no repair was offered`,
        };
      const second = await applyAndCheck(deps, context, repairDiff);
      if (second.ok)
        return { ...base, diff: repairDiff, repaired: true, code: second.code, checks: second.checks };
      return { ...base, diff: repairDiff, repaired: true, dropReason: `${second.reason} (after one repair)` };
    }),
  );
  const dropped = variants.filter((variant) => variant.dropReason).length;
  deps.logger.info(
    {
      paperId: context.paperId,
      target: context.search.settings.target,
      proposed: variants.length,
      dropped,
      repairs: failures.length,
    },
    'variants proposed',
  );
  return {
    variants,
    calls: results.reduce((sum, result) => sum + result.calls, 0),
    inputTokens: results.reduce(
      (sum, r) => sum + r.usage.inputTokens + r.usage.cacheReadTokens + r.usage.cacheWriteTokens,
      0,
    ),
    outputTokens: results.reduce((sum, result) => sum + result.usage.outputTokens, 0),
    usd: results.reduce((sum, result) => sum + result.usd, 0),
  };
}
