import { createHash } from 'node:crypto';
import type { CodeVersion } from '../domain/code-version.js';
import type { Paper } from '../domain/paper.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { GeneratedCode } from './generate-code.js';

export function codeHashOf(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/** Content-addressed: the same script is stored once however often it is generated (`code/<sha256>.py`). */
export async function storeCode(blobs: BlobStore, code: string): Promise<{ hash: string; blobKey: string }> {
  const hash = codeHashOf(code);
  const blobKey = `code/${hash}.py`;
  await blobs.putIfAbsent(blobKey, code, { contentType: 'text/x-python' });
  return { hash, blobKey };
}

/** The next version of the paper's code: every generation is a new version, even when the bytes repeat. */
export async function newCodeVersion(
  deps: { blobs: BlobStore; clock: Clock },
  paper: Paper,
  generated: GeneratedCode,
  reason: string,
): Promise<CodeVersion> {
  const { hash, blobKey } = await storeCode(deps.blobs, generated.code);
  const version = Math.max(0, ...paper.codeVersions.map((existing) => existing.version)) + 1;
  return {
    hash,
    blobKey,
    version,
    plan: generated.planSummary,
    checks: generated.checks,
    reason,
    usedPdf: generated.document.kind === 'pdf',
    ...(generated.plan.objective ? { objective: generated.plan.objective } : {}),
    createdAt: deps.clock.now().toISOString(),
    backend: generated.backend,
  };
}
