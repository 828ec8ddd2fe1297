import { ChatError } from '../ports/chat.js';

/** What a doctor row says went wrong: Slack's error when Slack refused, else what the transport reported. */
export function chatFailure(error: unknown): string {
  if (error instanceof ChatError) {
    if (error.refused) return error.code;
    const cause = error.cause as Error | undefined;
    return cause?.message ?? error.message;
  }
  return (error as Error).message;
}
