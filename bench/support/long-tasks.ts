/**
 * The main thread's long tasks in a CPU profile (issue 14, item 3): an ack waits for whatever the event loop is
 * running when its envelope arrives, so what matters for the ack tail is not a function's share of the CPU but
 * the longest uninterrupted stretches of work. A stretch is a run of consecutive samples that are not `(idle)`;
 * each long one is named by the Sherpa frame (src/, handlers/, jobs/) that held most of its samples, else by its
 * busiest frame of any kind.
 */
import { relative } from 'node:path';
import type { CpuProfile } from './cpu-profile.js';

type ProfileNode = CpuProfile['nodes'][number];

export interface LongTask {
  ms: number;
  /** The frame that held most of the stretch's samples (inclusive), preferring Sherpa's own code. */
  cause: string;
  /** The busiest frame by self time within the stretch. */
  self: string;
}

const OWN_CODE = /\/(src|handlers|jobs)\//;

/** Stretches of main-thread work longer than `thresholdMs`, longest first. */
export function longTasks(profile: CpuProfile, thresholdMs = 1): LongTask[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const tasks: LongTask[] = [];
  let stretch: { id: number; delta: number }[] = [];
  const close = () => {
    const ms = stretch.reduce((sum, s) => sum + s.delta, 0) / 1000;
    if (ms > thresholdMs) tasks.push({ ms, ...describe(stretch, byId, parent) });
    stretch = [];
  };
  profile.samples.forEach((id, index) => {
    const name = byId.get(id)?.callFrame.functionName;
    if (name === '(idle)') close();
    else stretch.push({ id, delta: profile.timeDeltas[index + 1] ?? 0 });
  });
  close();
  return tasks.sort((a, b) => b.ms - a.ms);
}

function describe(
  samples: { id: number; delta: number }[],
  byId: Map<number, ProfileNode>,
  parent: Map<number, number>,
): { cause: string; self: string } {
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  let anyOwn = false;
  for (const { id, delta } of samples) {
    const node = byId.get(id);
    if (!node) continue;
    const selfName = frameName(node);
    self.set(selfName, (self.get(selfName) ?? 0) + delta);
    // The innermost Sherpa frame of this sample's stack counts for the stretch.
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame && OWN_CODE.test(frame.callFrame.url)) {
        const name = frameName(frame);
        inclusive.set(name, (inclusive.get(name) ?? 0) + delta);
        anyOwn = true;
        break;
      }
    }
  }
  const top = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '?';
  const selfTop = top(self);
  return { cause: anyOwn ? top(inclusive) : selfTop, self: selfTop };
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const path = url.startsWith('file://') ? relative(process.cwd(), new URL(url).pathname) : url;
  return `${name} ${path.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
}

/** Long tasks grouped by cause: how many, their total and longest, most total time first. */
export function summariseLongTasks(tasks: LongTask[]): string[] {
  const groups = new Map<string, { count: number; total: number; max: number; self: Map<string, number> }>();
  for (const task of tasks) {
    const group = groups.get(task.cause) ?? { count: 0, total: 0, max: 0, self: new Map() };
    group.count += 1;
    group.total += task.ms;
    group.max = Math.max(group.max, task.ms);
    group.self.set(task.self, (group.self.get(task.self) ?? 0) + task.ms);
    groups.set(task.cause, group);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].total - a[1].total)
    .map(([cause, g]) => {
      const self = [...g.self.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      return `${g.count} × (max ${g.max.toFixed(1)} ms, total ${g.total.toFixed(1)} ms) ${cause}  [self: ${self}]`;
    });
}
