/**
 * A CPU profile of only the part of a benchmark that is measured (the V8 profiler through `node:inspector`, the
 * same data as `node --cpu-prof`, without start-up, module loading and data generation), and its top frames by
 * self time, so a benchmark can say where its time goes.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export async function profileWhile<T>(
  work: () => Promise<T>,
  intervalUs = 500,
): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Self time per function (file:line), largest first, as shares of all samples (idle excluded). */
export function topFrames(profile: CpuProfile, count: number): { share: number; frame: string }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const ownWork = profilerOwnWork(profile);
  const selfTime = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)' || ownWork.has(id)) return;
    const delta = profile.timeDeltas[index] ?? 0;
    total += delta;
    const frame = frameName(node.callFrame);
    selfTime.set(frame, (selfTime.get(frame) ?? 0) + delta);
  });
  return [...selfTime.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, time]) => ({ share: total === 0 ? 0 : time / total, frame }));
}

/** Samples under `Session.post` (`node:inspector`): the profiler serialising itself at `Profiler.stop`. */
function profilerOwnWork(profile: CpuProfile): Set<number> {
  const excluded = new Set<number>();
  const visit = (node: ProfileNode, inside: boolean): void => {
    const here = inside || node.callFrame.url === 'node:inspector';
    if (here) excluded.add(node.id);
    for (const child of node.children ?? []) visit(byId.get(child) as ProfileNode, here);
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const root = profile.nodes[0];
  if (root) visit(root, false);
  return excluded;
}

function frameName(callFrame: ProfileNode['callFrame']): string {
  const name = callFrame.functionName || '(anonymous)';
  if (!callFrame.url) return name;
  const path = callFrame.url.startsWith('file://')
    ? relative(process.cwd(), new URL(callFrame.url).pathname)
    : callFrame.url;
  const module = path.replace(/^.*node_modules\//, '');
  return `${name} ${module}:${callFrame.lineNumber + 1}`;
}

export function saveProfile(path: string, profile: CpuProfile): void {
  writeFileSync(path, JSON.stringify(profile));
}
