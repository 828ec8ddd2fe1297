import type { KnownBlock, MrkdwnElement } from '../domain/block-kit.js';
import type { RunnerResult } from '../domain/runner-contract.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';
import { formatBytes, formatDuration, formatPercent } from './format-units.js';

type Profile = RunnerResult['profile'];

function field(label: string, value: string): MrkdwnElement {
  return { type: 'mrkdwn', text: `*${label}*\n${value}` };
}

/** The Neuron profile summary as fields (at most 10 per section); only what the profiler reported. */
function neuronFields(summary: Extract<Profile, { kind: 'neuron' }>['summary']): MrkdwnElement[] {
  const fields: MrkdwnElement[] = [];
  const add = (label: string, value: number | undefined, format: (v: number) => string) => {
    if (value !== undefined) fields.push(field(label, format(value)));
  };
  add('Total time', summary.totalTimeSeconds, (s) =>
    s < 1 ? `${(s * 1000).toFixed(1)} ms` : formatDuration(s),
  );
  add('MFU (estimated)', summary.mfuPercent, formatPercent);
  add('Tensor engine', summary.tensorEnginePercent, formatPercent);
  add('Vector engine', summary.vectorEnginePercent, formatPercent);
  add('Scalar engine', summary.scalarEnginePercent, formatPercent);
  add('GpSimd engine', summary.gpsimdEnginePercent, formatPercent);
  add('HBM read', summary.hbmReadBytes, formatBytes);
  add('HBM write', summary.hbmWriteBytes, formatBytes);
  add('DMA active', summary.dmaActivePercent, formatPercent);
  return fields.slice(0, 10);
}

export function profileBlocks(profile: Profile): KnownBlock[] {
  if (profile.kind === 'none') {
    return [
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `No profile: ${escapeMrkdwn(truncate(profile.reason, 500))}` }],
      },
    ];
  }
  if (profile.kind === 'neuron') {
    const fields = neuronFields(profile.summary);
    const heading: KnownBlock = {
      type: 'section',
      text: { type: 'mrkdwn', text: '*Neuron profile* (engine activity is the share of total time)' },
    };
    if (fields.length === 0) {
      return [
        heading,
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'The profiler reported no summary values.' }] },
      ];
    }
    return [heading, { type: 'section', fields }];
  }
  const rows = profile.summary.topOperators.slice(0, 8).map((op) => {
    // Operator names come from the run (`record_function` takes any string).
    const name = escapeMrkdwn(truncate(op.name, 40).padEnd(40));
    return `${name}  ${op.selfTimeMs.toFixed(1).padStart(9)} ms self  ${String(op.calls).padStart(6)} calls`;
  });
  const device = profile.summary.device ? ` on ${escapeMrkdwn(profile.summary.device)}` : '';
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*torch.profiler: top operators${device}*\n` +
          (rows.length ? '```\n' + rows.join('\n') + '\n```' : '_none recorded_'),
      },
    },
  ];
}
