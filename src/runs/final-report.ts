import type { Config } from '../config/load-config.js';
import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { RunCost, RunFailureView, RunResultView } from '../messages/run-result.js';
import { artifactLinks } from './artifact-links.js';
import type { RunLocation } from '../domain/run-keys.js';
import { lastRelevantLines, splitLines } from './relevant-log-lines.js';
import type { RunnerResult } from '../domain/runner-contract.js';
import type { FinishedPoll } from './watch-run.js';

/** How a run ended, whichever way it ended: the runner's result, a bare command outcome, or the bot's own error. */
export type RunEnding =
  | { kind: 'result'; result: RunnerResult }
  | { kind: 'no_result'; poll: FinishedPoll; reason?: string }
  | { kind: 'error'; failureClass: string; message: string };

/**
 * Failure classes that are Sherpa's fault, not the code's (issue 10, found item 11): the runner broke, the
 * instance never ran it, the job could not be fetched, NeuronCores were held by something else, or the run's
 * containment could not be confirmed. The thread says so and does not offer them to Claude to fix.
 */
export const INFRASTRUCTURE_FAILURES: ReadonlySet<string> = new Set([
  'runner_error',
  'instance_unavailable',
  'fetch_failed',
  'neuroncore_unavailable',
  'containment_failed',
  'sandbox_unavailable',
]);

export function isInfrastructureFailure(failureClass: string | undefined): boolean {
  return failureClass !== undefined && INFRASTRUCTURE_FAILURES.has(failureClass);
}

/**
 * A result whose sandbox does not report the metadata service blocked is not trusted (issue 10, build item 2):
 * the code may have reached the instance's credentials, so its numbers are not reported as a success.
 */
export function containmentUnconfirmed(result: RunnerResult): boolean {
  return result.sandbox.metadataBlocked !== true;
}

const CONTAINMENT_MESSAGE =
  'The runner did not confirm that the instance metadata service (169.254.169.254 and fd00:ec2::254) was ' +
  'blocked for this run (sandbox.metadataBlocked is not true), so the run is not trusted and its metrics are ' +
  'not reported. This is a fault in Sherpa’s runner setup on the instance (its firewall rules), not in the code.';

export function failureOf(ending: RunEnding): RunFailureView | undefined {
  const failure = rawFailureOf(ending);
  return failure && { ...failure, infrastructure: isInfrastructureFailure(failure.class) };
}

function rawFailureOf(ending: RunEnding): RunFailureView | undefined {
  if (ending.kind === 'result') {
    const { result } = ending;
    if (containmentUnconfirmed(result))
      return { class: 'containment_failed', message: CONTAINMENT_MESSAGE, logLines: [] };
    if (result.status === 'succeeded') return undefined;
    return {
      class: result.failure?.class ?? 'nonzero_exit',
      message: result.failure?.message ?? `The code exited with ${result.exitCode ?? 'no exit code'}.`,
      ...(result.failure?.code ? { code: result.failure.code } : {}),
      logLines: lastRelevantLines(result.logTail),
    };
  }
  if (ending.kind === 'error') return { class: ending.failureClass, message: ending.message, logLines: [] };
  const { poll } = ending;
  const failureClass = failureClassOfPoll(poll);
  const exit = poll.exitCode === null ? '' : `, exit code ${poll.exitCode}`;
  return {
    class: failureClass,
    message: `${ending.reason ?? 'The runner left no result.json'} (command: ${poll.detail}${exit}).`,
    logLines: lastRelevantLines({ stdout: splitLines(poll.stdout), stderr: splitLines(poll.stderr) }),
  };
}

/** A number for digests: the last value of the first loss-like metric, else of the first metric. */
/** The failure class of a command that ended without a result.json: timed out, never delivered, or the runner broke. */
export function failureClassOfPoll(poll: FinishedPoll): 'timeout' | 'instance_unavailable' | 'runner_error' {
  if (poll.outcome === 'timed_out') return 'timeout';
  return poll.outcome === 'undeliverable' ? 'instance_unavailable' : 'runner_error';
}

export function headlineOf(result: RunnerResult): RunRecord['headline'] {
  const names = Object.keys(result.metrics.summary);
  const name = names.find((candidate) => /loss/i.test(candidate)) ?? names[0];
  const summary = name ? result.metrics.summary[name] : undefined;
  return name && summary ? { name, value: summary.last } : undefined;
}

/** Instance time of this run at the instance price, and every Claude call made for the paper so far. */
export async function runCost(
  deps: { ledger: CostLedger },
  paperId: string,
  instance: { seconds: number; hourlyPriceUsd: number; instanceIds: readonly string[] },
): Promise<RunCost> {
  const summary = await deps.ledger.summarize({ since: '1970-01-01T00:00:00.000Z', paperId });
  const instances = new Set(instance.instanceIds);
  let tokenUsd = 0;
  for (const [resource, usage] of Object.entries(summary.byResource)) {
    if (!instances.has(resource)) tokenUsd += usage.usd;
  }
  return {
    instanceSeconds: instance.seconds,
    instanceUsd: (instance.seconds / 3600) * instance.hourlyPriceUsd,
    hourlyPriceUsd: instance.hourlyPriceUsd,
    tokenUsd,
    inputTokens: summary.inputTokens,
    outputTokens: summary.outputTokens,
  };
}

export function runResultView(
  deps: { blobs: BlobStore; config: Pick<Config, 'aws' | 'codegen'> },
  input: {
    paper: Paper;
    run: RunRecord;
    ending: RunEnding;
    cost: RunCost;
    durationSeconds?: number;
    /** Where the run's files are; absent when it never reached an instance. */
    location?: RunLocation;
  },
): RunResultView {
  const { paper, run, ending } = input;
  // An untrusted result (containment unconfirmed) shows none of its numbers.
  const result =
    ending.kind === 'result' && !containmentUnconfirmed(ending.result) ? ending.result : undefined;
  const failure = failureOf(ending);
  const duration = result?.durationSeconds ?? input.durationSeconds;
  return {
    paperId: paper.id,
    runId: run.runId,
    codeHash: run.codeHash,
    status: failure ? 'failed' : 'succeeded',
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    ...(result ? { backend: result.backend, metrics: result.metrics.summary, profile: result.profile } : {}),
    ...(result?.execution ? { execution: result.execution } : {}),
    ...(failure ? { failure } : {}),
    cost: input.cost,
    artifacts:
      result && input.location
        ? artifactLinks(deps.blobs, input.location, result.artifacts, deps.config.aws.region)
        : [],
    fixRoundsLeft: Math.max(0, deps.config.codegen.maxFixRounds - paper.fixRounds),
  };
}
