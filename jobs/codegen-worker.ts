import { requeueStrandedCodegen } from '../src/codegen/requeue-stranded.js';
import {
  runCodegenJob,
  type CodegenOutcome,
  type CodegenWorkerDeps,
} from '../src/codegen/run-codegen-job.js';
import { CodegenJobSchema, type CodegenJob } from '../src/domain/jobs.js';
import { describeForUser, StaleReceiptError } from '../src/errors.js';
import type { ReceivedMessage } from '../src/ports/work-queue.js';
import { realSleep, type Sleep } from '../src/ports/sleep.js';
import { startHeartbeat, type Heartbeat } from '../src/runs/heartbeat.js';

export interface CodegenWorkerOptions {
  /** Jobs worked on at once; each is three long model calls, so a few are plenty. */
  slots?: number;
  visibilitySeconds?: number;
  /** How often a message in progress is kept invisible (well inside `visibilitySeconds`). */
  heartbeatSeconds?: number;
  /** Delay before a transiently failed job is offered again. */
  retryDelaySeconds?: number;
  idlePollMs?: number;
  /** How often requests whose job never reached the queue are looked for again (after the one at start). */
  sweepIntervalMs?: number;
  sleep?: Sleep;
}

const DEFAULTS = {
  slots: 2,
  visibilitySeconds: 300,
  heartbeatSeconds: 60,
  retryDelaySeconds: 60,
  idlePollMs: 1000,
  sweepIntervalMs: 5 * 60_000,
};

/**
 * Take one codegen message and carry it through `runCodegenJob`, keeping it invisible while the model works.
 * Acked once the outcome is stored (posted, failed with Retry, or nothing to do); released for a transient
 * error so that it comes back. A malformed body is dropped: it will never become a job.
 */
export async function codegenRound(
  deps: CodegenWorkerDeps,
  options: CodegenWorkerOptions = {},
): Promise<CodegenOutcome | undefined> {
  const queue = deps.queues.codegen;
  const visibilitySeconds = options.visibilitySeconds ?? DEFAULTS.visibilitySeconds;
  const [received] = await queue.receive({ max: 1, visibilitySeconds, waitSeconds: 0 });
  if (!received) return undefined;
  const parsed = CodegenJobSchema.safeParse(received.body);
  if (!parsed.success) {
    deps.logger.error(
      { messageId: received.id, issues: parsed.error.message },
      'dropping a malformed codegen job',
    );
    await queue.ack(received);
    return undefined;
  }
  let message: ReceivedMessage<CodegenJob> = { ...received, body: parsed.data };
  const heartbeat: Heartbeat = startHeartbeat(
    options.sleep ?? realSleep,
    (options.heartbeatSeconds ?? DEFAULTS.heartbeatSeconds) * 1000,
    async () => {
      message = await queue.extend(message, visibilitySeconds);
    },
    (error) => deps.logger.warn({ err: error, paperId: parsed.data.paperId }, 'codegen heartbeat failed'),
  );
  let outcome: CodegenOutcome;
  try {
    outcome = await runCodegenJob(deps, message.body, message.attempt);
  } finally {
    await heartbeat.stop();
  }
  try {
    if (outcome.kind === 'retry') {
      await queue.release(
        message,
        options.retryDelaySeconds ?? DEFAULTS.retryDelaySeconds,
        describeForUser(outcome.error),
      );
    } else {
      await queue.ack(message);
    }
  } catch (error) {
    // Redelivered meanwhile: the new holder sees the stored outcome and skips.
    if (!(error instanceof StaleReceiptError)) throw error;
  }
  return outcome;
}

export interface RunningCodegenWorker {
  stop(): Promise<void>;
}

/** Consume the codegen queue until stopped; first re-send requests that never reached the queue. */
export function startCodegenWorker(
  deps: CodegenWorkerDeps,
  options: CodegenWorkerOptions = {},
): RunningCodegenWorker {
  const controller = new AbortController();
  const sleep = options.sleep ?? realSleep;
  const idlePollMs = options.idlePollMs ?? DEFAULTS.idlePollMs;

  const slot = async (index: number): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const outcome = await codegenRound(deps, options);
        if (!outcome) await sleep(idlePollMs, controller.signal);
      } catch (error) {
        deps.logger.error(
          { err: error, slot: index },
          'codegen round failed; its message returns after its visibility timeout',
        );
        await sleep(idlePollMs, controller.signal);
      }
    }
  };
  const requeue = () =>
    requeueStrandedCodegen(deps).catch((error: unknown) =>
      deps.logger.error({ err: error }, 'could not re-send stranded code requests'),
    );
  // At start and then periodically: with SQS a crash between a code request and its send can happen at any
  // time (issue 10, build item 4); the queue's sent-key record makes a repeat of a sent job a no-op.
  const sweep = async (): Promise<void> => {
    for (;;) {
      await sleep(options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs, controller.signal);
      if (controller.signal.aborted) return;
      await requeue();
    }
  };
  const all = (async () => {
    await requeue();
    await Promise.all([
      sweep(),
      ...Array.from({ length: options.slots ?? DEFAULTS.slots }, (_unused, index) => slot(index)),
    ]);
  })();
  return {
    async stop() {
      controller.abort();
      await all;
    },
  };
}
