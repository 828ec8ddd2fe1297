import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/domain/paper.js';
import { CODE_STEP_BLOCK_IDS, codeStepMessage } from '../../src/messages/code-step.js';
import { candidateBlock, CANDIDATE_BLOCK_PREFIX } from '../../src/messages/digest-message.js';
import {
  type EchoedBlock,
  openedFromDigest,
  withCandidateOpened,
  withDecisionLine,
  withFixRequested,
} from '../../src/messages/message-edits.js';
import { RUN_RESULT_BLOCK_IDS } from '../../src/messages/run-result.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { judgedPaper } from '../support/sample-papers.js';

/** Blocks as a click payload echoes them: plain JSON, no types. */
const echoed = (blocks: unknown): EchoedBlock[] => JSON.parse(JSON.stringify(blocks)) as EchoedBlock[];

const APPROVED: AuditEntry = {
  paperId: 'p_0a1b2c3d4e5f',
  from: 'code_ready',
  to: 'run_approved',
  actor: 'U0ALICE',
  at: '2026-11-23T09:05:00.000Z',
  artifactHash: 'a'.repeat(64),
};

describe('message edits after a click', () => {
  it('swaps only the buttons for who decided, keeping every other block as it was (snapshot)', () => {
    const blocks = echoed([
      { type: 'section', block_id: 'head', text: { type: 'mrkdwn', text: '*Code v2*' } },
      { type: 'actions', block_id: CODE_STEP_BLOCK_IDS.actions, elements: [] },
    ]);
    const edited = withDecisionLine(blocks, CODE_STEP_BLOCK_IDS, APPROVED);
    expect(edited[0]).toEqual(blocks[0]);
    expect(edited).toMatchSnapshot();
    expectWithinBlockKitLimits(edited);
  });

  it('ends a failed run’s result with the fix request instead of its buttons (snapshot)', () => {
    const blocks = echoed([
      { type: 'section', text: { type: 'mrkdwn', text: '❌ *Run failed: timed out*' } },
      { type: 'actions', block_id: RUN_RESULT_BLOCK_IDS.actions, elements: [] },
    ]);
    const edited = withFixRequested(blocks, { userId: 'U0ALICE', round: 1, maxRounds: 2 });
    expect(edited.some((block) => block.block_id === RUN_RESULT_BLOCK_IDS.actions)).toBe(false);
    expect(edited).toMatchSnapshot();
  });

  it('turns a digest candidate’s button into a link to its new thread, and leaves other rows alone', () => {
    const paper = judgedPaper(0);
    const other = judgedPaper(1);
    const blocks = echoed([candidateBlock(paper), candidateBlock(other)]);
    const edited = withCandidateOpened(blocks, {
      paperId: paper.id,
      thread: { channel: 'C0SHERPA', ts: '1764900000.000100' },
      userId: 'U0ALICE',
    });
    expect(edited[0]).toMatchObject({ block_id: `${CANDIDATE_BLOCK_PREFIX}${paper.id}` });
    expect(edited[0]).not.toHaveProperty('accessory');
    expect(edited[0]).toMatchSnapshot();
    expect(edited[1]).toEqual(blocks[1]);
    expect(openedFromDigest('U0ALICE')).toBe('Opened by <@U0ALICE> from the digest.');
  });

  it('keeps a code step built by its builder intact apart from the buttons', () => {
    const message = codeStepMessage({
      paperId: 'p_0a1b2c3d4e5f',
      paperTitle: 'A paper',
      version: {
        version: 1,
        hash: 'a'.repeat(64),
        blobKey: 'code/p_0a1b2c3d4e5f/1.py',
        plan: 'Train it.',
        checks: [{ name: 'compiles', passed: true }],
        reason: 'first version',
        usedPdf: true,
        createdAt: '2026-11-23T09:00:00.000Z',
      },
      code: 'print(1)\n',
      requestedBy: 'U0ALICE',
      modelId: 'claude',
      runBudgetMinutes: 10,
      runTarget: { kind: 'ec2' },
    });
    const edited = withDecisionLine(echoed(message.blocks), CODE_STEP_BLOCK_IDS, APPROVED);
    expect(edited).toHaveLength(message.blocks.length);
    expect(edited.at(-1)).toMatchObject({ block_id: CODE_STEP_BLOCK_IDS.decision });
  });
});
