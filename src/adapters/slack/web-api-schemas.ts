import { z } from 'zod';

/** What Sherpa reads of the Web API's answers: parsed, so a changed shape is an error here, not a crash later. */

export const PostedSchema = z.object({
  ok: z.literal(true),
  channel: z.string().optional(),
  ts: z.string().optional(),
});

/** A `conversations.history` or `.replies` page, as much of it as a search by metadata or by file reads. */
export const HistoryPageSchema = z.object({
  ok: z.literal(true),
  messages: z
    .array(
      z.object({
        ts: z.string(),
        metadata: z
          .object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() })
          .optional(),
        // A file Slack hides (a deleted one, or past a free plan's limit) comes without its name.
        files: z.array(z.object({ id: z.string(), name: z.string().optional() })).optional(),
      }),
    )
    .default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

export type HistoryPage = z.infer<typeof HistoryPageSchema>;

export const GroupMembersSchema = z.object({ ok: z.literal(true), users: z.array(z.string()).default([]) });

export const ViewOpenedSchema = z.object({
  ok: z.literal(true),
  view: z.object({ id: z.string().optional() }).optional(),
});

export const ChannelInfoSchema = z.object({
  ok: z.literal(true),
  channel: z
    .object({
      id: z.string().optional(),
      name: z.string().optional(),
      is_member: z.boolean().optional(),
      is_archived: z.boolean().optional(),
    })
    .optional(),
});

export const AuthTestSchema = z.object({
  ok: z.literal(true),
  user: z.string().optional(),
  user_id: z.string().optional(),
  team: z.string().optional(),
  team_id: z.string().optional(),
  response_metadata: z.object({ scopes: z.array(z.string()).optional() }).optional(),
});

export const UploadedSchema = z.object({
  ok: z.literal(true),
  files: z
    .array(z.object({ files: z.array(z.object({ id: z.string().optional() })).optional() }))
    .default([]),
});
