import type { CoreDeps } from '../../src/deps.js';
import { CODE_STEP_BLOCK_IDS } from '../../src/messages/code-step.js';
import { requestRunAction } from './request-run-action.js';

/** **Run on Trainium** on a code step: approve that exact code version for a run (value `paperId:codeHash`). */
export const runCode = (deps: CoreDeps) => requestRunAction(deps, 'approve', CODE_STEP_BLOCK_IDS);
