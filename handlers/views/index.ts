import type { CoreDeps } from '../../src/deps.js';
import type { ListenerRouter } from '../listener-router.js';
import { VIEW_IDS } from '../../src/messages/action-ids.js';
import { evolveConfirmSubmission } from './evolve-confirm-submission.js';
import { regenerateFeedback } from './regenerate-feedback.js';
import { rejectCodeReason } from './reject-code-reason.js';
import { rejectPaperReason } from './reject-paper-reason.js';

/** Modal submissions (`view_submission`), one file each. */
export function register(app: ListenerRouter, deps: CoreDeps): void {
  app.view(VIEW_IDS.rejectReason, rejectPaperReason(deps));
  app.view(VIEW_IDS.rejectCodeReason, rejectCodeReason(deps));
  app.view(VIEW_IDS.regenerateFeedback, regenerateFeedback(deps));
  app.view(VIEW_IDS.evolveConfirm, evolveConfirmSubmission(deps));
}
