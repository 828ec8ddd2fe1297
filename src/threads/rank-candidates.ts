/** The ranking lives in the domain, so that the paper stores can rank where the papers are (issue 14, item 3). */
export { rankForThreads, threadScore } from '../domain/thread-rank.js';
