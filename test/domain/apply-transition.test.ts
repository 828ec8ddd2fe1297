import { describe, expect, it } from 'vitest';
import { applyTransition } from '../../src/domain/apply-transition.js';
import { IllegalTransitionError } from '../../src/errors.js';
import { judgedPaper } from '../support/sample-papers.js';

const AT = '2026-12-05T10:00:00.000Z';

describe('applyTransition', () => {
  const accepted = judgedPaper(0); // state accepted, version 3

  it('moves the paper, bumps its version and stamps updatedAt, leaving the input untouched', () => {
    const result = applyTransition(accepted, { from: 'accepted', to: 'code_requested' }, 'U123', AT);
    if (!result.ok) throw new Error(`expected ok, got ${result.cause}`);
    expect(result.paper).toEqual({ ...accepted, state: 'code_requested', version: 4, updatedAt: AT });
    expect(accepted.state).toBe('accepted');
    expect(accepted.version).toBe(3);
  });

  it('writes the audit entry from the current state, without absent optional fields', () => {
    const plain = applyTransition(accepted, { from: 'accepted', to: 'rejected' }, 'system:judge', AT);
    expect(plain.ok && plain.audit).toStrictEqual({
      paperId: accepted.id,
      at: AT,
      actor: 'system:judge',
      from: 'accepted',
      to: 'rejected',
    });
    const bound = applyTransition(
      { ...accepted, state: 'code_ready' },
      { from: ['code_ready', 'run_held'], to: 'run_approved', artifactHash: 'sha256:abc', note: 'go' },
      'U999',
      AT,
    );
    expect(bound.ok && bound.audit).toStrictEqual({
      paperId: accepted.id,
      at: AT,
      actor: 'U999',
      from: 'code_ready',
      to: 'run_approved',
      artifactHash: 'sha256:abc',
      note: 'go',
    });
  });

  it('applies the patch, which cannot override state, version or updatedAt', () => {
    const thread = { channel: 'C1', ts: '1733392800.000100' };
    const result = applyTransition(
      accepted,
      {
        from: 'accepted',
        to: 'code_requested',
        // A patch is typed to exclude these; a caller that smuggles them in must not win.
        patch: { thread, fixRounds: 2, lastNote: 'try again', ...{ state: 'succeeded', version: 99 } },
      },
      'U1',
      AT,
    );
    if (!result.ok) throw new Error('expected ok');
    expect(result.paper.thread).toEqual(thread);
    expect(result.paper.fixRounds).toBe(2);
    expect(result.paper.lastNote).toBe('try again');
    expect(result.paper.state).toBe('code_requested');
    expect(result.paper.version).toBe(4);
    expect(result.paper.verdict).toEqual(accepted.verdict);
  });

  it('accepts any of several from-states and the matching exact version', () => {
    const result = applyTransition(
      accepted,
      { from: ['code_ready', 'accepted'], to: 'code_requested', ifVersion: 3 },
      'U1',
      AT,
    );
    expect(result.ok).toBe(true);
  });

  it('refuses a stale version with the current paper', () => {
    const result = applyTransition(
      accepted,
      { from: 'accepted', to: 'code_requested', ifVersion: 2 },
      'U1',
      AT,
    );
    expect(result).toStrictEqual({ ok: false, reason: 'conflict', cause: 'stale_version', paper: accepted });
  });

  it('refuses when the paper has left the from-states, with the current paper', () => {
    const moved = { ...accepted, state: 'code_requested' as const };
    const result = applyTransition(moved, { from: ['accepted'], to: 'rejected' }, 'U1', AT);
    expect(result).toStrictEqual({ ok: false, reason: 'conflict', cause: 'wrong_state', paper: moved });
  });

  it('throws IllegalTransitionError for an edge the state machine lacks, even if the paper is elsewhere', () => {
    expect(() => applyTransition(accepted, { from: 'accepted', to: 'succeeded' }, 'U1', AT)).toThrow(
      IllegalTransitionError,
    );
    expect(() =>
      applyTransition(accepted, { from: ['accepted', 'scraped'], to: 'running' }, 'U1', AT),
    ).toThrow(IllegalTransitionError);
  });
});
