import { z } from 'zod';

/**
 * What a modal remembers between the click that opened it and its submission (`private_metadata`, at most
 * 3,000 characters): ids only, and where the message that opened it lives so it can be updated.
 */
export const ModalMetadataSchema = z.object({
  paperId: z.string().min(1),
  codeHash: z.string().optional(),
  channel: z.string().min(1),
  /** The message whose buttons started this (thread root or code step). */
  messageTs: z.string().min(1),
  /** The thread to answer in. */
  threadTs: z.string().min(1),
  /** The evolve search a confirmation modal is about (issue 13). */
  searchId: z.string().min(1).optional(),
});
export type ModalMetadata = z.infer<typeof ModalMetadataSchema>;

export const MODAL_INPUT = {
  reason: { blockId: 'reason', actionId: 'reason_input' },
  feedback: { blockId: 'feedback', actionId: 'feedback_input' },
  note: { blockId: 'note', actionId: 'note_input' },
} as const;
