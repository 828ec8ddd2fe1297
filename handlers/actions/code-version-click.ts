import { alreadyDecided } from '../../src/approvals/decide.js';
import { getCodeStep } from '../../src/codegen/code-step-record.js';
import type { CoreDeps } from '../../src/deps.js';
import type { CodeVersion } from '../../src/domain/code-version.js';
import type { Paper } from '../../src/domain/paper.js';
import { shortHash } from '../../src/messages/code-step.js';
import { newerCodeOnCodeStep, NO_SUCH_CODE_VERSION, PAPER_GONE } from '../../src/messages/click-replies.js';

export type CodeVersionTarget =
  { ok: true; paper: Paper; version: CodeVersion } | { ok: false; message: string };

/**
 * Which code version a code-step button is about: the hash in its value, or (for Regenerate, whose value is the
 * paper id) the version posted in the clicked message. Only the current version in `code_ready` can be acted
 * on; an older one gets "a newer version exists", a decided one says who decided.
 */
export async function codeVersionTarget(
  deps: Pick<CoreDeps, 'papers' | 'coordination'>,
  paperId: string,
  how: { codeHash: string } | { messageTs: string },
): Promise<CodeVersionTarget> {
  const paper = await deps.papers.get(paperId);
  if (!paper) return { ok: false, message: PAPER_GONE };
  let version: CodeVersion | undefined;
  if ('codeHash' in how) {
    version = paper.codeVersions.find((candidate) => candidate.hash === how.codeHash);
  } else {
    for (const candidate of paper.codeVersions) {
      if ((await getCodeStep(deps.coordination, paper.id, candidate.version))?.ts === how.messageTs)
        version = candidate;
    }
    version ??= paper.codeVersions.find((candidate) => candidate.hash === paper.currentCodeHash);
  }
  if (!version) return { ok: false, message: NO_SUCH_CODE_VERSION };
  if (version.hash !== paper.currentCodeHash) {
    const current = paper.codeVersions.find((candidate) => candidate.hash === paper.currentCodeHash);
    return {
      ok: false,
      message: newerCodeOnCodeStep(
        current && { version: current.version, shortHash: shortHash(current.hash) },
      ),
    };
  }
  if (paper.state !== 'code_ready') return { ok: false, message: await alreadyDecided(deps, paper) };
  return { ok: true, paper, version };
}
