import { requeueStrandedCodegen } from '../src/codegen/requeue-stranded.js';
import {
  runCodegenJob,
  type CodegenOutcome,
  type CodegenWorkerDeps,
} from '../src/codegen/run-codegen-job.js';
import { CodegenJobSchema, type CodegenJob } from '../src/domain/jobs.js';
import type { Sleep } from '../src/ports/sleep.js';
import type { JobHandler } from '../src/queue/job-handler.js';
import {
  consumeOnce,
  startQueueConsumer,
  type QueueConsumer,
  type QueueConsumerOptions,
} from '../src/queue/queue-consumer.js';

export interface CodegenWorkerOptions {
  /** Jobs worked on at once; each is three long model calls, so a few are plenty. */
  slots?: number;
  visibilitySeconds?: number;
  /** How often a message in progress is kept invisible (well inside `visibilitySeconds`). */
  heartbeatSeconds?: number;
  /** Delay before a transiently failed job is offered again; by default a jittered backoff from 60 s. */
  retryDelaySeconds?: number;
  waitSeconds?: number;
  /** How often requests whose job never reached the queue are looked for again (after the one at start). */
  sweepIntervalMs?: number;
  sleep?: Sleep;
  random?: () => number;
}

const DEFAULTS = {
  slots: 2,
  visibilitySeconds: 300,
  heartbeatSeconds: 60,
  sweepIntervalMs: 5 * 60_000,
};
/** A model call that failed transiently (throttling, Bedrock away) is tried again after a minute or more. */
const RETRY_BACKOFF = { baseSeconds: 60, maxSeconds: 900 };

/**
 * One codegen message through `runCodegenJob`: acked once the outcome is stored (posted, failed with Retry, or
 * nothing to do); retried with backoff for a transient error, so that it comes back. A malformed body is
 * dropped: it will never become a job.
 */
function codegenHandler(
  deps: CodegenWorkerDeps,
  options: CodegenWorkerOptions,
  onOutcome: (outcome: CodegenOutcome) => void = () => undefined,
): JobHandler<CodegenJob> {
  return async (received) => {
    const parsed = CodegenJobSchema.safeParse(received.body);
    if (!parsed.success) {
      deps.logger.error(
        { messageId: received.id, issues: parsed.error.message },
        'dropping a malformed codegen job',
      );
      return { kind: 'ack' };
    }
    const outcome = await runCodegenJob(deps, parsed.data, received.attempt);
    onOutcome(outcome);
    if (outcome.kind !== 'retry') return { kind: 'ack' };
    return {
      kind: 'retry',
      error: outcome.error,
      ...(options.retryDelaySeconds !== undefined ? { delaySeconds: options.retryDelaySeconds } : {}),
    };
  };
}

function consumerOptions(
  deps: CodegenWorkerDeps,
  options: CodegenWorkerOptions,
  handle: JobHandler<CodegenJob>,
): QueueConsumerOptions<CodegenJob> {
  return {
    queue: deps.queues.codegen,
    handle,
    slots: options.slots ?? DEFAULTS.slots,
    visibilitySeconds: options.visibilitySeconds ?? DEFAULTS.visibilitySeconds,
    heartbeatMs: (options.heartbeatSeconds ?? DEFAULTS.heartbeatSeconds) * 1000,
    retry: RETRY_BACKOFF,
    logger: deps.logger,
    clock: deps.clock,
    ...(options.waitSeconds !== undefined ? { waitSeconds: options.waitSeconds } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.random ? { random: options.random } : {}),
  };
}

/**
 * Take one codegen message, if there is one, and handle it as the consumer does; resolves with its outcome
 * (undefined when the queue was empty or the body malformed). For tests and tools that step the queue by hand.
 */
export async function codegenRound(
  deps: CodegenWorkerDeps,
  options: CodegenWorkerOptions = {},
): Promise<CodegenOutcome | undefined> {
  let outcome: CodegenOutcome | undefined;
  await consumeOnce(
    consumerOptions(
      deps,
      options,
      codegenHandler(deps, options, (settled) => (outcome = settled)),
    ),
  );
  return outcome;
}

/** Consume the codegen queue until stopped, re-sending requests that never reached the queue at start and then periodically. */
export function startCodegenWorker(
  deps: CodegenWorkerDeps,
  options: CodegenWorkerOptions = {},
): QueueConsumer {
  return startQueueConsumer({
    ...consumerOptions(deps, options, codegenHandler(deps, options)),
    // With SQS a crash between a code request and its send can happen at any time (issue 10, build item 4);
    // the queue's sent-key record makes a repeat of a sent job a no-op.
    sweep: {
      everyMs: options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs,
      what: 're-send stranded code requests',
      run: () => requeueStrandedCodegen(deps),
    },
  });
}
