/** Moved to the domain so the paper stores can count where the papers are (issue 14, item 3). */
export { sourceActivity } from '../domain/window-activity.js';
