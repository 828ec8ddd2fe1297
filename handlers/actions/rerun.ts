import type { CoreDeps } from '../../src/deps.js';
import { RUN_RESULT_BLOCK_IDS } from '../../src/messages/run-result.js';
import { requestRunAction } from './request-run-action.js';

/** **Re-run** on a run's result: the same code hash again, through the same approval and budget gate. */
export const rerun = (deps: CoreDeps) => requestRunAction(deps, 'rerun', RUN_RESULT_BLOCK_IDS);
