import { PaperSchema } from './paper.js';

/**
 * A paper at a human gate with a thread to act in, as the digest lists it. Only these fields cross from the store:
 * a whole paper is kilobytes, and the digest scans 500 (issue 14, item 3).
 */
export const WaitingPaperSchema = PaperSchema.pick({ id: true, title: true, state: true, thread: true });
export type WaitingPaper = ReturnType<typeof WaitingPaperSchema.parse>;
