import type { RunnerResult } from '../domain/runner-contract.js';

const pct = (value: number | undefined) => (value === undefined ? undefined : `${value.toFixed(1)} %`);
const gib = (bytes: number | undefined) =>
  bytes === undefined ? undefined : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

/**
 * The parent's hardware profile in a few lines for the proposal prompt (issue 13, item 3), so the model can
 * aim at what limits the hardware: Neuron MFU, engine activity, HBM traffic and DMA; on CUDA the top
 * operators. Untrusted numbers from the run, but numbers only: nothing here is text the code wrote.
 */
export function profileLines(profile: RunnerResult['profile'] | undefined): string[] {
  if (!profile) return ['No profile of the parent is available.'];
  if (profile.kind === 'none') return [`No profile of the parent: ${profile.reason.slice(0, 200)}`];
  if (profile.kind === 'torch') {
    return [
      `PyTorch profile${profile.summary.device ? ` on ${profile.summary.device}` : ''}, top operators by self time:`,
      ...profile.summary.topOperators
        .slice(0, 8)
        .map(
          (op) =>
            `- ${op.name.slice(0, 80)}: self ${op.selfTimeMs.toFixed(1)} ms, total ${op.totalTimeMs.toFixed(1)} ms, ${op.calls} calls`,
        ),
    ];
  }
  const s = profile.summary;
  const entries: [string, string | undefined][] = [
    ['MFU', pct(s.mfuPercent)],
    ['Tensor engine active', pct(s.tensorEnginePercent)],
    ['Vector engine active', pct(s.vectorEnginePercent)],
    ['Scalar engine active', pct(s.scalarEnginePercent)],
    ['GpSimd engine active', pct(s.gpsimdEnginePercent)],
    ['HBM read', gib(s.hbmReadBytes)],
    ['HBM write', gib(s.hbmWriteBytes)],
    ['DMA active', pct(s.dmaActivePercent)],
    ['Profiled time', s.totalTimeSeconds === undefined ? undefined : `${s.totalTimeSeconds.toFixed(2)} s`],
  ];
  return [
    'Neuron profile of the parent:',
    ...entries.flatMap(([name, value]) => (value ? [`- ${name}: ${value}`] : [])),
  ];
}
