import { z } from 'zod';
import { KNOWN_ACTION_IDS, KNOWN_VIEW_IDS } from '../../src/messages/action-ids.js';

export const KNOWN_COMMANDS: ReadonlySet<string> = new Set(['/paper', '/scrape']);

const SLACK_ID = /^[A-Z][A-Z0-9]{2,}$/;
const UserSchema = z.object({ id: z.string().regex(SLACK_ID) });

const BlockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: UserSchema,
  actions: z.array(z.object({ action_id: z.string().min(1).max(255) })).min(1),
  container: z
    .object({ channel_id: z.string().regex(SLACK_ID).optional() })
    .loose()
    .optional(),
  channel: z
    .object({ id: z.string().regex(SLACK_ID) })
    .loose()
    .optional(),
});

const ViewSchema = z.object({
  type: z.enum(['view_submission', 'view_closed']),
  user: UserSchema,
  view: z.object({ callback_id: z.string() }).loose(),
});

export type Classification =
  | { kind: 'pass' }
  | {
      kind: 'refuse';
      reason: 'unknown_command' | 'unknown_action' | 'unknown_view' | 'unsupported' | 'malformed';
      /** What is known about the interaction, for the log and the ephemeral answer (all may be missing). */
      userId?: string;
      channelId?: string;
      detail: string;
      isViewSubmission: boolean;
      isCommand: boolean;
    };

function idsFrom(body: Record<string, unknown>): { userId?: string; channelId?: string } {
  const user = body.user as { id?: unknown } | undefined;
  const channel = body.channel as { id?: unknown } | undefined;
  const container = body.container as { channel_id?: unknown } | undefined;
  const candidates = {
    userId: typeof user?.id === 'string' ? user.id : body.user_id,
    channelId: typeof channel?.id === 'string' ? channel.id : (container?.channel_id ?? body.channel_id),
  };
  const valid = (value: unknown) => (typeof value === 'string' && SLACK_ID.test(value) ? value : undefined);
  return { userId: valid(candidates.userId), channelId: valid(candidates.channelId) };
}

/**
 * Decide whether an incoming body is something Sherpa's listeners should see. Events pass; slash commands,
 * buttons and views pass only when their command, action id or callback id is one Sherpa issues
 * (`src/messages/action-ids.ts`) and the payload has the shape Slack sends. Everything else is refused.
 */
export function classifyInteraction(body: unknown): Classification {
  if (typeof body !== 'object' || body === null) return refuse({}, 'malformed', 'body is not an object');
  const record = body as Record<string, unknown>;
  if (record.event !== undefined) return { kind: 'pass' };
  const ids = idsFrom(record);
  if (typeof record.command === 'string') {
    if (KNOWN_COMMANDS.has(record.command)) return { kind: 'pass' };
    return refuse(ids, 'unknown_command', record.command, { isCommand: true });
  }
  if (record.type === 'block_actions') {
    const parsed = BlockActionsSchema.safeParse(body);
    if (!parsed.success)
      return refuse(ids, 'malformed', `block_actions: ${parsed.error.issues[0]?.message ?? ''}`);
    const unknown = parsed.data.actions.map((a) => a.action_id).filter((id) => !KNOWN_ACTION_IDS.has(id));
    if (unknown.length > 0) return refuse(ids, 'unknown_action', unknown.join(','));
    return { kind: 'pass' };
  }
  if (record.type === 'view_submission' || record.type === 'view_closed') {
    const isViewSubmission = record.type === 'view_submission';
    const parsed = ViewSchema.safeParse(body);
    if (!parsed.success)
      return refuse(ids, 'malformed', `view: ${parsed.error.issues[0]?.message ?? ''}`, { isViewSubmission });
    if (!KNOWN_VIEW_IDS.has(parsed.data.view.callback_id)) {
      return refuse(ids, 'unknown_view', parsed.data.view.callback_id, { isViewSubmission });
    }
    return { kind: 'pass' };
  }
  return refuse(ids, 'unsupported', String(record.type ?? 'no type'));
}

function refuse(
  ids: { userId?: string; channelId?: string },
  reason: Extract<Classification, { kind: 'refuse' }>['reason'],
  detail: string,
  flags: { isViewSubmission?: boolean; isCommand?: boolean } = {},
): Classification {
  return {
    kind: 'refuse',
    reason,
    detail: detail.slice(0, 200),
    ...ids,
    isViewSubmission: flags.isViewSubmission ?? false,
    isCommand: flags.isCommand ?? false,
  };
}
