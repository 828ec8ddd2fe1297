import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What the local compute remembers of each dispatch on disk, beside (not inside) the runner's work root: the
 * runner process is detached, so it outlives a bot that crashes, and the next bot process must find it by the
 * dispatch key instead of starting the run a second time (issue 10, found item 6).
 */
const DispatchRecordSchema = z.object({ commandId: z.string(), runId: z.string(), pid: z.number().int() });
export type DispatchRecord = z.infer<typeof DispatchRecordSchema>;

/** Keys are `<runId>.d<n>`; anything else is refused rather than turned into a path. */
function fileOf(dir: string, dispatchKey: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(dispatchKey)) throw new Error(`unexpected dispatch key ${dispatchKey}`);
  return join(dir, `${dispatchKey}.json`);
}

export async function writeDispatchRecord(dir: string, dispatchKey: string, record: DispatchRecord) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(fileOf(dir, dispatchKey), JSON.stringify(record), { mode: 0o600 });
}

export async function readDispatchRecord(
  dir: string,
  dispatchKey: string,
): Promise<DispatchRecord | undefined> {
  let text: string;
  try {
    text = await readFile(fileOf(dir, dispatchKey), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = DispatchRecordSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** The runner of this run is still alive under this pid (and the pid was not reused by something else). */
export async function runnerAlive(record: DispatchRecord): Promise<boolean> {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = await readFile(`/proc/${record.pid}/cmdline`, 'utf8');
    return cmdline.includes(record.runId);
  } catch {
    // No /proc (not Linux): the signal check is all there is.
    return true;
  }
}
