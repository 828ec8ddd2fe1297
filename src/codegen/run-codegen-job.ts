import { randomUUID } from 'node:crypto';
import type { CoreDeps } from '../deps.js';
import type { CodegenJob } from '../domain/jobs.js';
import type { Paper } from '../domain/paper.js';
import { codeBackendOf } from '../domain/code-version.js';
import { isTransient } from '../errors.js';
import { paperLogger } from '../logging/logger.js';
import type { Llm } from '../ports/llm.js';
import { openThreadFor } from '../threads/open-thread.js';
import { getCodeStep } from './code-step-record.js';
import { generateCode } from './generate-code.js';
import { postCodeStep } from './post-code-step.js';
import { CODEGEN_ACTOR, reportCodegenFailure } from './report-failure.js';
import { newCodeVersion } from './store-code-version.js';

export type CodegenWorkerDeps = Pick<
  CoreDeps,
  'config' | 'logger' | 'clock' | 'papers' | 'coordination' | 'chat' | 'blobs' | 'queues'
> & { llm: Llm; fetch?: typeof fetch };

export type CodegenOutcome =
  | { kind: 'posted'; paperId: string; version: number; codeHash: string }
  | { kind: 'failed'; paperId: string; reason: string }
  | { kind: 'skipped'; paperId: string; reason: string }
  /** Nothing changed; the message should come back later. */
  | { kind: 'retry'; paperId: string; error: unknown };

/** Transient failures (throttling, Bedrock down, a lost connection) are retried this many deliveries. */
export const MAX_TRANSIENT_ATTEMPTS = 3;
const LEASE_SECONDS = 20 * 60;

/**
 * One code request, start to finish: generate (plan, code, review, checks), store the script by content hash
 * as a new version, move `code_requested → code_ready` (a compare-and-set: a duplicate job loses), and post the
 * code step. A lease per paper keeps two workers from generating for one paper at once; a job whose paper is
 * already past `code_requested` only finishes a post that a crash interrupted.
 */
export async function runCodegenJob(
  deps: CodegenWorkerDeps,
  job: CodegenJob,
  attempt: number,
): Promise<CodegenOutcome> {
  const logger = paperLogger(deps.logger, { paperId: job.paperId });
  const holder = randomUUID();
  const leaseKey = `codegen-lease/${job.paperId}`;
  if (!(await deps.coordination.acquireLease(leaseKey, holder, LEASE_SECONDS))) {
    return {
      kind: 'retry',
      paperId: job.paperId,
      error: new Error('another worker is generating this paper'),
    };
  }
  try {
    const paper = await deps.papers.get(job.paperId);
    if (!paper) return { kind: 'skipped', paperId: job.paperId, reason: 'unknown paper' };
    if (paper.state !== 'code_requested') {
      await finishInterruptedPost(deps, paper);
      return { kind: 'skipped', paperId: paper.id, reason: `paper is ${paper.state}` };
    }
    const request = await currentRequest(deps, paper, job);
    const thread = paper.thread ?? (await openThreadFor(paper.id, deps)).thread;
    try {
      const previous = paper.codeVersions.find((version) => version.hash === paper.currentCodeHash);
      // A port names its backend; a regenerate or a fix keeps the backend of the version it replaces.
      const backend = job.backend ?? (previous ? codeBackendOf(previous) : undefined);
      const generated = await generateCode(
        paper,
        {
          ...(backend ? { backend } : {}),
          ...(request.feedback ? { feedback: request.feedback } : {}),
          ...(previous
            ? { previousCode: await deps.blobs.getText(previous.blobKey), previousVersion: previous.version }
            : {}),
        },
        deps,
      );
      const version = await newCodeVersion(deps, paper, generated, request.reason);
      const ready = await deps.papers.transition({
        paperId: paper.id,
        from: 'code_requested',
        to: 'code_ready',
        actor: CODEGEN_ACTOR,
        artifactHash: version.hash,
        patch: { codeVersions: [...paper.codeVersions, version], currentCodeHash: version.hash },
      });
      if (!ready.ok) return { kind: 'skipped', paperId: paper.id, reason: 'the request changed meanwhile' };
      await postCodeStep(deps, ready.paper, thread, version, {
        requestedBy: request.requestedBy,
        modelId: generated.modelId,
        ...(generated.document.kind === 'abstract' ? { pdfWarning: generated.document.warning } : {}),
      });
      logger.info({ version: version.version, codeHash: version.hash, usd: generated.usd }, 'code ready');
      return { kind: 'posted', paperId: paper.id, version: version.version, codeHash: version.hash };
    } catch (error) {
      if (isTransient(error) && attempt < MAX_TRANSIENT_ATTEMPTS) {
        logger.warn({ err: error, attempt }, 'code generation hit a transient error; retrying later');
        return { kind: 'retry', paperId: paper.id, error };
      }
      await reportCodegenFailure(deps, paper, error);
      return { kind: 'failed', paperId: paper.id, reason: String((error as Error).message ?? error) };
    }
  } finally {
    await deps.coordination.releaseLease(leaseKey, holder);
  }
}

/**
 * The request being served is the latest transition into `code_requested`, not necessarily this job (a late
 * redelivery of an older job must not bring back older feedback). A fix from a failed run carries its error
 * log in the job, which the audit note only summarises.
 */
async function currentRequest(
  deps: Pick<CoreDeps, 'papers'>,
  paper: Paper,
  job: CodegenJob,
): Promise<{ requestedBy: string; feedback?: string; reason: string }> {
  const audit = (await deps.papers.audit(paper.id)).filter((entry) => entry.to === 'code_requested').at(-1);
  const requestedBy = audit?.actor ?? job.requestedBy;
  if (job.fixOfRunId) {
    return {
      requestedBy,
      reason: `Fix for run ${job.fixOfRunId}`,
      ...(job.feedback ? { feedback: job.feedback } : {}),
    };
  }
  const feedback = audit ? audit.note : job.feedback;
  if (feedback) return { requestedBy, feedback, reason: `Feedback: ${feedback}` };
  return { requestedBy, reason: paper.codeVersions.length === 0 ? 'First version' : 'Regenerated' };
}

/** A crash after `code_ready` but before the code step was fully posted: finish it. */
async function finishInterruptedPost(deps: CodegenWorkerDeps, paper: Paper): Promise<void> {
  const latest = paper.codeVersions.at(-1);
  if (!latest || !paper.thread || latest.hash !== paper.currentCodeHash) return;
  const record = await getCodeStep(deps.coordination, paper.id, latest.version);
  if (record?.ts) return;
  const audit = (await deps.papers.audit(paper.id)).filter((entry) => entry.to === 'code_requested').at(-1);
  await postCodeStep(deps, paper, paper.thread, latest, {
    requestedBy: record?.requestedBy ?? audit?.actor ?? CODEGEN_ACTOR,
    modelId: record?.modelId ?? deps.config.bedrock.codegenModelId,
    ...(latest.usedPdf
      ? {}
      : { pdfWarning: record?.pdfWarning ?? 'This code is based on the abstract only.' }),
  });
}
