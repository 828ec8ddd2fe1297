import { applyPatch, parsePatch } from 'diff';

export type AppliedDiff = { ok: true; code: string } | { ok: false; reason: string };

/**
 * A variant's unified diff applied to its parent with jsdiff (`diff` on npm), not a hand-written patcher:
 * hunk parsing, offset search when the model's line numbers are off, and line-ending handling are what
 * jsdiff has been tested on for years. Context must match exactly (fuzz 0): a hunk whose context is not in
 * the parent is the model misremembering the file, which the repair call is told about.
 */
export function applyVariantDiff(parent: string, diff: string): AppliedDiff {
  let patches: ReturnType<typeof parsePatch>;
  try {
    patches = parsePatch(diff);
  } catch (error) {
    return { ok: false, reason: `the diff does not parse: ${(error as Error).message}` };
  }
  const withHunks = patches.filter((patch) => patch.hunks.length > 0);
  if (withHunks.length === 0) return { ok: false, reason: 'the diff has no hunks' };
  if (withHunks.length > 1)
    return { ok: false, reason: `the diff touches ${withHunks.length} files; only train.py may change` };
  const [patch] = withHunks as [(typeof withHunks)[number]];
  const code = applyPatch(parent, patch, { fuzzFactor: 0, autoConvertLineEndings: true });
  if (code === false) {
    const failing = patch.hunks.find((hunk) => applyPatch(parent, { ...patch, hunks: [hunk] }) === false);
    const where = failing ? ` (the hunk at line ${failing.oldStart})` : '';
    return {
      ok: false,
      reason: `the diff does not apply to the parent${where}: its context lines do not match`,
    };
  }
  if (code === parent) return { ok: false, reason: 'the diff changes nothing' };
  return { ok: true, code };
}
