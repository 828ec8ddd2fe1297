import type { ExecutionInfo } from '../domain/runner-contract.js';
import { formatBytes, formatDuration, formatMetric } from './format-units.js';
import { escapeMrkdwn } from './mrkdwn.js';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `trn1.2xlarge (spot) · 1× AWS Trainium · i-0abc…`: what the run ran on, from the runner's own look. */
function machine(execution: ExecutionInfo): string | undefined {
  const parts: string[] = [];
  const { instance, device } = execution;
  if (instance?.type) parts.push(instance.market ? `${instance.type} (${instance.market})` : instance.type);
  else if (instance?.market) parts.push(instance.market);
  if (device) parts.push(`${device.count}× ${device.name}`);
  if (instance?.id) parts.push(instance.id);
  return parts.length > 0 ? parts.map(escapeMrkdwn).join(' · ') : undefined;
}

/** The run's speed and size: wall time, compile time, throughput, peak memories. */
function measures(execution: ExecutionInfo): string[] {
  const parts: string[] = [];
  if (execution.wallSeconds !== undefined) parts.push(`wall ${formatDuration(execution.wallSeconds)}`);
  if (execution.compileSeconds !== undefined)
    parts.push(`compile ${formatDuration(execution.compileSeconds)}`);
  if (execution.throughput) {
    const { value, unit, source } = execution.throughput;
    parts.push(
      `${formatMetric(value)} ${escapeMrkdwn(unit)}${source === 'runner' ? ' (measured by the runner)' : ''}`,
    );
  }
  if (execution.peakHostMemoryBytes !== undefined)
    parts.push(`peak host memory ${formatBytes(execution.peakHostMemoryBytes)}`);
  if (execution.peakDeviceMemoryBytes !== undefined)
    parts.push(`peak device memory ${formatBytes(execution.peakDeviceMemoryBytes)}`);
  return parts;
}

/** Where the run's lineage stands: spot interruptions survived and resumes from a checkpoint. */
function lineage(execution: ExecutionInfo): string | undefined {
  const interruptions = execution.interruptions ?? 0;
  const resumes = execution.resumes ?? 0;
  if (interruptions === 0 && resumes === 0) return undefined;
  return `${plural(interruptions, 'interruption')}, ${plural(resumes, 'resume')}`;
}

/**
 * Execution info as lines of mrkdwn for the thread's result message (issue 12, item 6). Every field is
 * optional: what the runner could not measure is left out, and an old result without the block gives nothing.
 */
export function executionLines(execution: ExecutionInfo | undefined): string[] {
  if (!execution) return [];
  const lines: string[] = [];
  const on = machine(execution);
  if (on) lines.push(`*Ran on:* ${on}`);
  const speed = measures(execution);
  if (speed.length > 0) lines.push(`*Execution:* ${speed.join(' · ')}`);
  const tail = [
    lineage(execution),
    execution.instance?.amiId ? `AMI ${escapeMrkdwn(execution.instance.amiId)}` : undefined,
    execution.runnerVersion ? `runner ${escapeMrkdwn(execution.runnerVersion)}` : undefined,
  ].filter((part): part is string => !!part);
  if (tail.length > 0) lines.push(tail.join(' · '));
  return lines;
}

/** One short line for `/paper status`: instance, market, throughput and interruptions of a run. */
export function executionSummary(execution: ExecutionInfo | undefined): string | undefined {
  if (!execution) return undefined;
  const parts = [
    execution.instance?.type
      ? escapeMrkdwn(
          execution.instance.market
            ? `${execution.instance.type} ${execution.instance.market}`
            : execution.instance.type,
        )
      : undefined,
    execution.throughput
      ? `${formatMetric(execution.throughput.value)} ${escapeMrkdwn(execution.throughput.unit)}`
      : undefined,
    execution.peakDeviceMemoryBytes !== undefined
      ? `${formatBytes(execution.peakDeviceMemoryBytes)} device`
      : undefined,
    lineage(execution),
  ].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
