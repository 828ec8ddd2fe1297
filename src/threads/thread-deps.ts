import type { CoreDeps } from '../deps.js';

/** What opening and updating threads needs. */
export type ThreadDeps = Pick<CoreDeps, 'config' | 'logger' | 'clock' | 'papers' | 'coordination' | 'chat'>;

/** Message metadata on every thread root, so a root posted just before a crash can be found again. */
export const THREAD_ROOT_EVENT = 'sherpa_paper_thread';
