import type { Config } from '../config/load-config.js';
import type { Paper } from '../domain/paper.js';
import type { Logger } from '../logging/logger.js';
import type { Llm, LlmMessage, StructuredRequest, StructuredResult } from '../ports/llm.js';
import type { CodeCheck } from './checks/code-check.js';
import type { CodeBackend } from './checks/inspect-script.js';
import { runCodeChecks, type CodeCheckReport } from './checks/run-code-checks.js';
import { CodeChecksFailedError } from './codegen-errors.js';
import { loadPaperDocument, type PaperDocument, type PaperDocumentDeps } from './paper-document.js';
import type { GenerationRequest } from './prompts/paper-context.js';
import { PLAN_TOOL, planMessages, planSummaryLines, type Plan } from './prompts/plan-prompt.js';
import { REVIEW_TOOL, reviewMessages } from './prompts/review-prompt.js';
import { CODE_TOOL, codeMessages, stripFence } from './prompts/script-prompt.js';
import { codegenSystemPrompt } from './prompts/system-prompt.js';

export type CodegenDeps = PaperDocumentDeps & {
  config: Pick<Config, 'bedrock' | 'codegen'>;
  llm: Llm;
  logger: Logger;
};

export interface GeneratedCode {
  code: string;
  /** The accelerator the prompt and the checks were for. */
  backend: CodeBackend;
  plan: Plan;
  /** The plan in a few lines, as stored on the CodeVersion and shown in the thread. */
  planSummary: string;
  checks: CodeCheck[];
  document: PaperDocument;
  reviewIssues: string[];
  modelId: string;
  llmCalls: number;
  usd: number;
}

const MAX_TOKENS = { plan: 4096, code: 16_000, review: 16_000 } as const;

/**
 * Plan, code, self-review: at most three calls to the code-generation model (plus the adapter's one repair
 * per call when a reply breaks its schema). Only the plan call reads the PDF; it carries what the later calls
 * need, which keeps a paper's tokens paid once. The checks run on the draft and the review sees their findings;
 * the reviewed script is checked again, and a script that still fails is never posted.
 */
export async function generateCode(
  paper: Paper,
  request: GenerationRequest,
  deps: CodegenDeps,
): Promise<GeneratedCode> {
  const modelId = deps.config.bedrock.codegenModelId;
  const backend = request.backend ?? 'neuron';
  const system = codegenSystemPrompt(deps.config, backend);
  const allowedHosts = deps.config.codegen.allowedDatasetHosts;
  const results: StructuredResult<unknown>[] = [];
  const call = async <T>(
    purpose: string,
    tool: StructuredRequest<T>['tool'],
    messages: LlmMessage[],
    maxTokens: number,
  ) => {
    const result = await deps.llm.structured({
      modelId,
      purpose,
      paperId: paper.id,
      system,
      messages,
      tool,
      maxTokens,
      temperature: 0.2,
    });
    results.push(result);
    return result.output;
  };

  const document = await loadPaperDocument(paper, deps);
  const plan = await call('codegen.plan', PLAN_TOOL, planMessages(paper, document, request), MAX_TOKENS.plan);
  const draft = stripFence(
    (await call('codegen.code', CODE_TOOL, codeMessages(paper, plan, request), MAX_TOKENS.code)).code,
  );
  const objectiveMetric = plan.objective?.metric;
  const checkOptions = { allowedHosts, backend, ...(objectiveMetric ? { objectiveMetric } : {}) };
  const draftReport = await runCodeChecks(draft, checkOptions);
  const review = await call(
    'codegen.review',
    REVIEW_TOOL,
    reviewMessages(plan, draft, draftReport.findings),
    MAX_TOKENS.review,
  );

  const final = await chooseFinal(
    draft,
    draftReport,
    review.verdict === 'revised' ? review.code : undefined,
    checkOptions,
  );
  deps.logger.info(
    {
      paperId: paper.id,
      backend,
      passed: final.report.passed,
      revised: final.code !== draft,
      usedPdf: document.kind === 'pdf',
    },
    'code generated',
  );
  if (!final.report.passed) throw new CodeChecksFailedError(final.report.checks);
  return {
    code: final.code,
    backend,
    plan,
    planSummary: planSummaryLines(plan),
    checks: final.report.checks,
    document,
    reviewIssues: review.issues,
    modelId,
    llmCalls: results.reduce((sum, result) => sum + result.calls, 0),
    usd: results.reduce((sum, result) => sum + result.usd, 0),
  };
}

/** The reviewed script when it passes; the draft when only the draft passes; otherwise the reviewed failure. */
async function chooseFinal(
  draft: string,
  draftReport: CodeCheckReport,
  revised: string | undefined,
  checkOptions: Parameters<typeof runCodeChecks>[1],
): Promise<{ code: string; report: CodeCheckReport }> {
  if (!revised) return { code: draft, report: draftReport };
  const code = stripFence(revised);
  const report = await runCodeChecks(code, checkOptions);
  if (report.passed || !draftReport.passed) return { code, report };
  return { code: draft, report: draftReport };
}
