import type { CoreDeps } from '../../src/deps.js';
import { RUN_HELD_BLOCK_IDS } from '../../src/messages/run-held.js';
import { requestRunAction } from './request-run-action.js';

/** **Override budget and run** on a held run: an approver accepts spending past DAILY_BUDGET_USD today. */
export const overrideBudget = (deps: CoreDeps) => requestRunAction(deps, 'override', RUN_HELD_BLOCK_IDS);
