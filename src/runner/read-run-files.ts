import { SchemaError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import { runKeys, type RunLocation } from '../domain/run-keys.js';
import {
  RunnerProgressSchema,
  RunnerResultSchema,
  type RunnerProgress,
  type RunnerResult,
} from '../domain/runner-contract.js';

/**
 * progress.json is advisory (the thread shows it while the run goes on), so a half-written or odd file reads
 * as "no progress yet" rather than failing the run.
 */
export async function readProgress(
  blobs: BlobStore,
  location: RunLocation,
): Promise<RunnerProgress | undefined> {
  const text = await blobs.getText(runKeys(location).progress);
  if (text === undefined) return undefined;
  try {
    const parsed = RunnerProgressSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** result.json is the run's verdict: a file that does not match the contract is a typed error. */
export function readResult(blobs: BlobStore, location: RunLocation): Promise<RunnerResult | undefined> {
  return readResultAt(blobs, runKeys(location).result, location.runId);
}

export async function readResultAt(
  blobs: BlobStore,
  key: string,
  runId: string,
): Promise<RunnerResult | undefined> {
  const text = await blobs.getText(key);
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SchemaError(`result.json of run ${runId}`, `not JSON (${(error as Error).message})`);
  }
  const parsed = RunnerResultSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new SchemaError(`result.json of run ${runId}`, issues);
  }
  return parsed.data;
}
