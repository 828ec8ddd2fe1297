import type { CodeVersion } from '../domain/code-version.js';
import type { AuditEntry, Paper } from '../domain/paper.js';
import type { Logger } from '../logging/logger.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { CoreDeps } from '../deps.js';
import { codeStepMessage, type RunTarget } from '../messages/code-step.js';

/**
 * Where a code version was posted and what its message showed, so the message can be rebuilt when someone
 * decides on it (run, regenerate, reject) and so a crashed post is finished rather than repeated.
 */
export interface CodeStepRecord {
  channel: string;
  threadTs: string;
  requestedBy: string;
  modelId: string;
  pdfWarning?: string;
  /** Set once `train.py` is uploaded. */
  fileId?: string;
  /** Set just before the message with the buttons is posted: a record with this and no ts means a crash. */
  postingSince?: string;
  /** Set once the message with the buttons is posted. */
  ts?: string;
}

/** Message metadata on every code step, so a step posted just before a crash can be found and adopted. */
export const CODE_STEP_EVENT = 'sherpa_code_step';

export const codeStepKey = (paperId: string, version: number) => `code-step/${paperId}/v${version}`;

export async function getCodeStep(
  coordination: CoordinationStore,
  paperId: string,
  version: number,
): Promise<CodeStepRecord | undefined> {
  return (await coordination.get<CodeStepRecord>(codeStepKey(paperId, version)))?.value;
}

/** Where this deployment runs approved code: `COMPUTE=none` has no Run button (issue 11, item 9). */
export function runTargetOf(config: Pick<CoreDeps['config'], 'compute'>): RunTarget {
  const { kind, localBackend } = config.compute;
  if (kind === 'local') return { kind, backend: localBackend };
  if (kind === 'none') return { kind };
  // Which hardware the pools offer decides the Run and Port buttons (issue 12, item 5).
  const backends = [...new Set(config.compute.pools.map((pool) => pool.backend))].sort();
  return { kind, backends };
}

/** The code step's message for a version, as recorded when it was posted, with an optional decision on it. */
export function codeStepContent(
  config: CoreDeps['config'],
  paper: Paper,
  version: CodeVersion,
  code: string,
  record: CodeStepRecord,
  decision?: AuditEntry,
) {
  return codeStepMessage({
    paperId: paper.id,
    paperTitle: paper.title,
    version,
    code,
    requestedBy: record.requestedBy,
    modelId: record.modelId,
    runBudgetMinutes: config.codegen.runBudgetMinutes,
    runTarget: runTargetOf(config),
    ...(record.pdfWarning ? { pdfWarning: record.pdfWarning } : {}),
    ...(decision ? { decision } : {}),
  });
}

/**
 * Replace the buttons of the code step for `codeHash` with the decision taken on it (who, what, when). Used by
 * regenerate and reject here, and by the run approval (issue 5). Logs instead of throwing: the decision stands
 * even if Slack cannot be updated.
 */
export async function showDecisionOnCodeStep(
  deps: Pick<CoreDeps, 'coordination' | 'chat' | 'blobs' | 'config'> & { logger: Logger },
  paper: Paper,
  codeHash: string,
  decision: AuditEntry,
): Promise<void> {
  const version = paper.codeVersions.find((candidate) => candidate.hash === codeHash);
  const record = version && (await getCodeStep(deps.coordination, paper.id, version.version));
  if (!version || !record?.ts) return;
  try {
    const code = (await deps.blobs.getText(version.blobKey)) ?? '';
    await deps.chat.update({
      channel: record.channel,
      ts: record.ts,
      ...codeStepContent(deps.config, paper, version, code, record, decision),
    });
  } catch (error) {
    deps.logger.warn({ err: error, paperId: paper.id, codeHash }, 'could not update the code step');
  }
}
