import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { RunHandle, RunOutcome, RunPoll } from '../../ports/compute.js';
import { TransientError } from '../../errors.js';
import type { Sleep } from '../../ports/sleep.js';
import { awsErrorName, isTransientAwsError } from '../aws-errors.js';
import { dispatchComment } from './find-run-command.js';
import { CommandInvocationSchema, SendCommandSchema, parseAws, type CommandInvocation } from './schema.js';

/** POSIX single quotes: the only character that needs care inside them is the quote itself. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const HEREDOC_END = 'SHERPA_BOOTSTRAP_EOF';

/**
 * The whole command SSM runs (as root, under `sh`): the bootstrap written to a private temp file and run by
 * bash with the two URIs it needs. Nothing else is sent; in particular no token or key: the instance
 * reaches S3 with its own instance profile, scoped to Sherpa's prefix.
 */
export function buildRunScript(options: { bootstrap: string; runnerUri: string; jobUri: string }): string {
  if (options.bootstrap.split('\n').includes(HEREDOC_END)) {
    throw new Error(`bootstrap.sh must not contain a line "${HEREDOC_END}"`);
  }
  return [
    'set -u',
    'script=$(mktemp /tmp/sherpa-bootstrap.XXXXXX)',
    `cat > "$script" <<'${HEREDOC_END}'`,
    options.bootstrap.replace(/\n?$/, ''),
    HEREDOC_END,
    `SHERPA_RUNNER_URI=${shellQuote(options.runnerUri)} SHERPA_JOB_URI=${shellQuote(options.jobUri)} bash "$script"`,
    'status=$?',
    'rm -f "$script"',
    'exit $status',
  ].join('\n');
}

export interface SendRunOptions {
  instanceId: string;
  runId: string;
  script: string;
  /** `executionTimeout`: SSM kills the script after this (it also gets the runner's own, shorter limit). */
  executionTimeoutSeconds: number;
  /** `TimeoutSeconds`: if the agent has not started the command by then, it never runs. */
  deliveryTimeoutSeconds: number;
  /** The dispatch's idempotency key; the command carries it in its comment. */
  dispatchKey: string;
  /** No attempt begins after this (the worker's lease is only sure until then). */
  sendBy: Date;
  now: () => Date;
  sleep: Sleep;
  /** The command this dispatch already sent, if any: asked after a failure SSM may have acted on anyway. */
  findSent: () => Promise<RunHandle | undefined>;
}

function isInvalidInstanceId(error: unknown): boolean {
  return error instanceof Error && error.name === 'InvalidInstanceId';
}

/**
 * Send the run's command once. `InvalidInstanceId` right after the agent reports Online is common (aws.md §3):
 * the registration has not reached SendCommand yet, so a few retries a few seconds apart are expected; that
 * refusal means nothing was sent. A throttle, 5xx or timeout is ambiguous (SSM may have created the command
 * before the answer was lost), so the command is looked up by its dispatch key before anything is sent again,
 * and then only by a later delivery: the client that sends is built without SDK retries for the same reason.
 */
export async function sendRunCommand(ssm: SSMClient, options: SendRunOptions): Promise<RunHandle> {
  for (let attempt = 1; ; attempt += 1) {
    if (options.now().getTime() > options.sendBy.getTime()) {
      throw new TransientError('the run was not sent in time to be sure of its instance lease', {
        hint: 'The next delivery of the run sends it',
        context: { runId: options.runId, dispatchKey: options.dispatchKey },
      });
    }
    try {
      const output = await ssm.send(
        new SendCommandCommand({
          InstanceIds: [options.instanceId],
          DocumentName: 'AWS-RunShellScript',
          Comment: dispatchComment(options.dispatchKey),
          TimeoutSeconds: options.deliveryTimeoutSeconds,
          Parameters: {
            commands: [options.script],
            executionTimeout: [String(options.executionTimeoutSeconds)],
          },
        }),
      );
      const parsed = parseAws(SendCommandSchema, output, 'SSM SendCommand');
      return { instanceId: options.instanceId, commandId: parsed.Command.CommandId, runId: options.runId };
    } catch (error) {
      if (isInvalidInstanceId(error) && attempt < 6) {
        await options.sleep(10_000);
        continue;
      }
      if (!isTransientAwsError(error)) throw error;
      const sent = await options.findSent();
      if (sent) return sent;
      throw new TransientError(`SSM SendCommand failed: ${awsErrorName(error)}`, {
        cause: error,
        context: { runId: options.runId, dispatchKey: options.dispatchKey },
      });
    }
  }
}

function outcomeOf(invocation: CommandInvocation): RunOutcome {
  const details = invocation.StatusDetails ?? '';
  switch (invocation.Status) {
    case 'Success':
      return 'success';
    case 'Cancelled':
      return 'cancelled';
    case 'TimedOut':
      return /delivery/i.test(details) ? 'undeliverable' : 'timed_out';
    default:
      if (/undeliverable/i.test(details)) return 'undeliverable';
      if (/terminated/i.test(details)) return 'lost';
      return 'failed';
  }
}

export function toRunPoll(invocation: CommandInvocation): RunPoll {
  switch (invocation.Status) {
    case 'Pending':
    case 'Delayed':
      return { state: 'pending' };
    case 'InProgress':
    case 'Cancelling':
      return { state: 'running' };
    default: {
      const code = invocation.ResponseCode;
      return {
        state: 'finished',
        outcome: outcomeOf(invocation),
        exitCode: code === undefined || code < 0 ? null : code,
        detail: invocation.StatusDetails ?? invocation.Status,
        stdout: invocation.StandardOutputContent ?? '',
        stderr: invocation.StandardErrorContent ?? '',
      };
    }
  }
}

export async function pollRunCommand(ssm: SSMClient, handle: RunHandle): Promise<RunPoll> {
  try {
    const output = await ssm.send(
      new GetCommandInvocationCommand({ CommandId: handle.commandId, InstanceId: handle.instanceId }),
    );
    return toRunPoll(parseAws(CommandInvocationSchema, output, 'SSM GetCommandInvocation'));
  } catch (error) {
    // Right after SendCommand the invocation may not exist yet: that is "pending", not an error.
    if (error instanceof Error && error.name === 'InvocationDoesNotExist') return { state: 'pending' };
    throw error;
  }
}

export async function cancelRunCommand(ssm: SSMClient, handle: RunHandle): Promise<void> {
  await ssm.send(new CancelCommandCommand({ CommandId: handle.commandId, InstanceIds: [handle.instanceId] }));
}
