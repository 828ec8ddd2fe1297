import { assertTransition, type PaperState } from './paper-state.js';
import { type AuditEntry, type Paper, PaperSchema } from './paper.js';

/** Fields other than state that a transition or update may set. */
export type PaperPatch = Partial<
  Pick<
    Paper,
    | 'verdict'
    | 'thread'
    | 'codeVersions'
    | 'currentCodeHash'
    | 'runs'
    | 'fixRounds'
    | 'lastNote'
    | 'rawKeys'
    | 'pdfUrl'
  >
>;

/** What a caller asks of a paper's state: the store adds which paper and who asks. */
export interface TransitionEvent {
  /** The states the caller believes the paper is in; the change applies only if it still is. */
  from: PaperState | readonly PaperState[];
  to: PaperState;
  /** The code hash (or other artifact) the decision was bound to, kept in the audit entry. */
  artifactHash?: string;
  note?: string;
  patch?: PaperPatch;
  /** Optionally also require an exact version (a stricter compare-and-set). */
  ifVersion?: number;
}

export type AppliedTransition =
  | { ok: true; paper: Paper; audit: AuditEntry }
  /**
   * The paper is not where the caller believed: `stale_version` when `ifVersion` no longer matches,
   * `wrong_state` when it has left every `from` state. `paper` is the current record, unchanged.
   */
  | { ok: false; reason: 'conflict'; cause: 'stale_version' | 'wrong_state'; paper: Paper };

export function fromStatesOf(event: Pick<TransitionEvent, 'from'>): readonly PaperState[] {
  return typeof event.from === 'string' ? [event.from] : event.from;
}

/**
 * Throws `IllegalTransitionError` unless every `from → to` is in the state machine. Stores call it before they
 * read, so a programming error surfaces even for a paper that does not exist.
 */
export function assertTransitionEvent(paperId: string, event: Pick<TransitionEvent, 'from' | 'to'>): void {
  for (const state of fromStatesOf(event)) assertTransition(paperId, state, event.to);
}

/**
 * The next paper and its audit entry, or why the event no longer applies. Pure: the store reads `paper`,
 * calls this, and persists the result with a compare-and-set on `paper.version`, so both stores move a paper
 * the same way.
 */
export function applyTransition(
  paper: Paper,
  event: TransitionEvent,
  actor: string,
  at: string,
): AppliedTransition {
  assertTransitionEvent(paper.id, event);
  if (event.ifVersion !== undefined && paper.version !== event.ifVersion) {
    return { ok: false, reason: 'conflict', cause: 'stale_version', paper };
  }
  if (!fromStatesOf(event).includes(paper.state)) {
    return { ok: false, reason: 'conflict', cause: 'wrong_state', paper };
  }
  const next = PaperSchema.parse({
    ...paper,
    ...event.patch,
    state: event.to,
    version: paper.version + 1,
    updatedAt: at,
  });
  const audit: AuditEntry = { paperId: paper.id, at, actor, from: paper.state, to: event.to };
  // Absent rather than undefined, as both stores read entries back.
  if (event.artifactHash !== undefined) audit.artifactHash = event.artifactHash;
  if (event.note !== undefined) audit.note = event.note;
  return { ok: true, paper: next, audit };
}
