import { ListCommandsCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from '../../logging/logger.js';
import type { RunHandle } from '../../ports/compute.js';
import { ListCommandsSchema, parseAws } from './schema.js';

/**
 * The comment a run's command carries. SSM keeps it with the command, so it is how a later worker recognises
 * the command an earlier dispatch sent (SendCommand has no client token of its own). At most 100 characters.
 */
export function dispatchComment(dispatchKey: string): string {
  const comment = `sherpa dispatch ${dispatchKey}`;
  if (comment.length > 100) throw new Error(`dispatch key too long for an SSM comment: ${dispatchKey}`);
  return comment;
}

/** ListCommands pages looked through: a run's command is among the instance's latest few. */
const MAX_PAGES = 10;

/**
 * The command sent to this instance with this dispatch key, if there is one: ListCommands filtered by the
 * instance and the time of the dispatch marker, matched on the comment. More than one would mean a double
 * dispatch; the earliest is the one to follow and the others are logged.
 */
export async function findRunCommand(
  ssm: SSMClient,
  logger: Logger,
  lookup: { instanceId: string; runId: string; dispatchKey: string; since: Date },
): Promise<RunHandle | undefined> {
  const comment = dispatchComment(lookup.dispatchKey);
  const found: { commandId: string; at: number }[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const output = await ssm.send(
      new ListCommandsCommand({
        InstanceId: lookup.instanceId,
        Filters: [{ key: 'InvokedAfter', value: lookup.since.toISOString() }],
        MaxResults: 50,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    const parsed = parseAws(ListCommandsSchema, output, 'SSM ListCommands');
    for (const command of parsed.Commands) {
      if (command.Comment === comment)
        found.push({ commandId: command.CommandId, at: command.RequestedDateTime?.getTime() ?? 0 });
    }
    nextToken = parsed.NextToken;
    if (!nextToken) break;
  }
  found.sort((a, b) => a.at - b.at);
  const [first, ...others] = found;
  if (others.length > 0)
    logger.error(
      { runId: lookup.runId, dispatchKey: lookup.dispatchKey, commandIds: found.map((c) => c.commandId) },
      'more than one command carries this dispatch key; following the earliest',
    );
  return first && { instanceId: lookup.instanceId, commandId: first.commandId, runId: lookup.runId };
}
