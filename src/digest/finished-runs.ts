/** Moved to the domain so the paper stores can list them where the papers are (issue 14, item 3). */
export { finishedRuns } from '../domain/window-activity.js';
