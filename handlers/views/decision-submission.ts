import type { Middleware, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { approverRefusal } from '../../src/approvals/approver-check.js';
import type { CoreDeps } from '../../src/deps.js';
import type { Logger } from '../../src/logging/logger.js';
import { ModalMetadataSchema, type ModalMetadata } from '../../src/messages/modal-metadata.js';
import { notAnApprover } from '../../src/messages/approver-refusals.js';
import { CLICK_FAILED, FEEDBACK_REQUIRED, FORM_UNREADABLE } from '../../src/messages/click-replies.js';

const SubmissionSchema = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).loose())),
    }),
  }),
});

export interface DecisionSubmission {
  userId: string;
  metadata: ModalMetadata;
  /** The text typed into the modal's one input, trimmed; empty when left blank. */
  text: string;
}

export interface SubmissionContext {
  deps: CoreDeps;
  logger: Logger;
  /** Ephemeral, to the submitter, in the thread the modal came from. */
  tell(text: string): Promise<void>;
}

/**
 * The path every decision modal takes on submit: read the ids it carried, check the submitter is (still) an
 * approver (authority is checked again: a modal can be submitted long after it was opened), validate the input
 * (errors shown in the modal), close it, then apply the decision.
 */
export function decisionSubmission(
  deps: CoreDeps,
  name: string,
  input: { blockId: string; actionId: string; required: boolean; what: string },
  work: (submission: DecisionSubmission, context: SubmissionContext) => Promise<void>,
): Middleware<SlackViewMiddlewareArgs<ViewSubmitAction>> {
  const logger = deps.logger.child({ handler: name });
  return async ({ ack, body }) => {
    const parsed = SubmissionSchema.safeParse(body);
    const metadata = parsed.success
      ? ModalMetadataSchema.safeParse(safeJson(parsed.data.view.private_metadata))
      : undefined;
    if (!parsed.success || !metadata?.success) {
      logger.warn('modal submission not understood');
      await ack({
        response_action: 'errors',
        errors: { [input.blockId]: FORM_UNREADABLE },
      });
      return;
    }
    const userId = parsed.data.user.id;
    const text = (parsed.data.view.state.values[input.blockId]?.[input.actionId]?.value ?? '').trim();
    const refusal = await approverRefusal(deps, userId, notAnApprover(input.what));
    if (refusal) {
      await ack({ response_action: 'errors', errors: { [input.blockId]: refusal } });
      return;
    }
    if (input.required && text.length === 0) {
      await ack({ response_action: 'errors', errors: { [input.blockId]: FEEDBACK_REQUIRED } });
      return;
    }
    await ack();
    const submission = { userId, metadata: metadata.data, text };
    const tell = async (message: string) => {
      try {
        await deps.chat.postEphemeral({
          channel: submission.metadata.channel,
          user: userId,
          thread_ts: submission.metadata.threadTs,
          text: message,
        });
      } catch (error) {
        logger.warn({ err: error }, 'could not answer a modal submission');
      }
    };
    try {
      await work(submission, { deps, logger, tell });
    } catch (error) {
      logger.error({ err: error, paperId: submission.metadata.paperId }, 'decision from a modal failed');
      await tell(CLICK_FAILED);
    }
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
