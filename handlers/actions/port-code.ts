import { requestCodegen } from '../../src/codegen/request-codegen.js';
import { runTargetOf, showDecisionOnCodeStep } from '../../src/codegen/code-step-record.js';
import type { CoreDeps } from '../../src/deps.js';
import { codeBackendOf } from '../../src/domain/code-version.js';
import { buttonWithout } from '../../src/messages/click-replies.js';
import { approverClick } from './approver-click.js';
import { codeVersionTarget } from './code-version-click.js';

const HARDWARE = { neuron: 'Trainium', cuda: 'GPU (CUDA)' } as const;

/** `paperId:codeHash:backend`, the Port button's value. */
function portValue(value: string) {
  const match = /^(p_[a-z0-9]+):([A-Za-z0-9_-]+):(neuron|cuda)$/.exec(value);
  return match && { paperId: match[1]!, codeHash: match[2]!, to: match[3] as 'neuron' | 'cuda' };
}

/**
 * **Port to GPU** / **Port to Trainium** on a code step (issue 12, item 5): the regenerate path with the other
 * backend on the codegen job, so the new version is written with that backend's prompt and checks and posted as
 * a new code step. Bound to the version shown; refused when the target backend has no pool here.
 */
export const portCode = (deps: CoreDeps) =>
  approverClick(deps, 'code.port', 'port code', async (click, { tell }) => {
    const bound = portValue(click.value);
    if (!bound) return tell(buttonWithout('paper and code'));
    const target = await codeVersionTarget(deps, bound.paperId, { codeHash: bound.codeHash });
    if (!target.ok) return tell(target.message);
    const from = codeBackendOf(target.version);
    const runTarget = runTargetOf(deps.config);
    const configured = runTarget.kind === 'ec2' ? (runTarget.backends ?? ['neuron']) : [];
    if (from === bound.to || !configured.includes(bound.to)) {
      return tell(
        `Code v${target.version.version} cannot be ported to ${HARDWARE[bound.to]} here; nothing changed.`,
      );
    }
    const decision = await requestCodegen(deps, {
      paperId: bound.paperId,
      from: 'code_ready',
      actor: click.userId,
      // Said to Claude with the previous code, so the port keeps the method and changes only the hardware.
      feedback:
        `Port code v${target.version.version} from ${HARDWARE[from]} to ${HARDWARE[bound.to]}: ` +
        'keep the method, the experiment and the metrics; change only what the hardware needs.',
      artifactHash: bound.codeHash,
      backend: bound.to,
    });
    if (!decision.ok) return tell(decision.message);
    await showDecisionOnCodeStep(deps, decision.paper, bound.codeHash, decision.audit);
  });
