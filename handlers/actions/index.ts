import type { CoreDeps } from '../../src/deps.js';
import type { ListenerRouter } from '../listener-router.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { evolveAdopt } from './evolve-adopt.js';
import { evolveConfirm } from './evolve-confirm.js';
import { evolveStart } from './evolve-start.js';
import { evolveStop, evolveStopNow } from './evolve-stop.js';
import { fixRun } from './fix-run.js';
import { generateCode } from './generate-code.js';
import { openThread } from './open-thread.js';
import { overrideBudget } from './override-budget.js';
import { overrideCodegenBudget } from './override-codegen-budget.js';
import { portCode } from './port-code.js';
import { regenerateCode } from './regenerate-code.js';
import { rejectCode } from './reject-code.js';
import { rejectPaper } from './reject-paper.js';
import { rerun } from './rerun.js';
import { retryStep } from './retry-step.js';
import { runCode } from './run-code.js';

/** Button listeners (`block_actions`), one file each. */
export function register(app: ListenerRouter, deps: CoreDeps): void {
  app.action(ACTION_IDS.generateCode, generateCode(deps));
  app.action(ACTION_IDS.rejectPaper, rejectPaper(deps));
  app.action(ACTION_IDS.regenerateCode, regenerateCode(deps));
  app.action(ACTION_IDS.rejectCode, rejectCode(deps));
  app.action(ACTION_IDS.portCode, portCode(deps));
  app.action(ACTION_IDS.retryStep, retryStep(deps));
  app.action(ACTION_IDS.runCode, runCode(deps));
  app.action(ACTION_IDS.rerun, rerun(deps));
  app.action(ACTION_IDS.overrideBudget, overrideBudget(deps));
  app.action(ACTION_IDS.fixRun, fixRun(deps));
  app.action(ACTION_IDS.overrideCodegenBudget, overrideCodegenBudget(deps));
  app.action(ACTION_IDS.openThread, openThread(deps));
  app.action(ACTION_IDS.evolveStart, evolveStart(deps));
  app.action(ACTION_IDS.evolveConfirm, evolveConfirm(deps));
  app.action(ACTION_IDS.evolveStop, evolveStop(deps));
  app.action(ACTION_IDS.evolveStopNow, evolveStopNow(deps));
  app.action(ACTION_IDS.evolveAdopt, evolveAdopt(deps));
}
