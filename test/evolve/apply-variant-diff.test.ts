import { createPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { applyVariantDiff } from '../../src/evolve/apply-variant-diff.js';
import { GOOD_SCRIPT } from '../support/fake-codegen-replies.js';

const LR = 'lr=3e-4';
const lowerLr = GOOD_SCRIPT.replace(LR, 'lr=2.4e-4');
const diffTo = (code: string) => createPatch('train.py', GOOD_SCRIPT, code, '', '');

describe('applying a variant’s diff', () => {
  it('applies a unified diff against the parent', () => {
    expect(applyVariantDiff(GOOD_SCRIPT, diffTo(lowerLr))).toEqual({ ok: true, code: lowerLr });
  });

  it('tolerates hunk line numbers that are off, as long as the context matches', () => {
    const shifted = diffTo(lowerLr).replace(/@@ -(\d+),(\d+) \+(\d+),(\d+) @@/, (_m, a, b, c, d) => {
      return `@@ -${Number(a) + 6},${b} +${Number(c) + 6},${d} @@`;
    });
    expect(applyVariantDiff(GOOD_SCRIPT, shifted)).toEqual({ ok: true, code: lowerLr });
  });

  it('refuses a diff whose context is not in the parent, naming the hunk', () => {
    const other = GOOD_SCRIPT.replace('torch.manual_seed(0)', 'torch.manual_seed(7)');
    const stale = createPatch('train.py', other, other.replace(LR, 'lr=1e-3'), '', '').replace(
      'torch.manual_seed(7)',
      'torch.manual_seed(9)',
    );
    const applied = applyVariantDiff(GOOD_SCRIPT, stale);
    expect(applied.ok).toBe(false);
    expect(!applied.ok && applied.reason).toMatch(/does not apply .*hunk at line \d+/);
  });

  it('refuses diffs with no hunks, with a second file, or that change nothing', () => {
    expect(applyVariantDiff(GOOD_SCRIPT, 'make the learning rate smaller')).toMatchObject({
      ok: false,
      reason: 'the diff has no hunks',
    });
    const two = `${diffTo(lowerLr)}${createPatch('other.py', 'a\n', 'b\n', '', '')}`;
    expect(applyVariantDiff(GOOD_SCRIPT, two)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/2 files/),
    });
    const noop = '--- a/train.py\n+++ b/train.py\n@@ -1,1 +1,1 @@\n ' + GOOD_SCRIPT.split('\n')[0] + '\n';
    expect(applyVariantDiff(GOOD_SCRIPT, noop)).toMatchObject({
      ok: false,
      reason: 'the diff changes nothing',
    });
  });
});
