import type { Config } from '../config/load-config.js';
import type { Logger } from '../logging/logger.js';
import type { Chat } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import { APPROVER_LIST_UNCHECKED } from '../messages/approver-refusals.js';
import { slackErrorCode } from '../ports/chat-errors.js';

/**
 * `approver`: listed, or in a group whose membership is known. `not_approver`: the membership of every group is
 * known and the user is in none. `unverifiable`: some group could not be read within the staleness bound, so
 * the answer is no, and the user is told why (issue 10, item 7).
 */
export type ApproverVerdict = 'approver' | 'not_approver' | 'unverifiable';

/** Who may approve. Buttons never carry authority; every click asks this. */
export interface ApproverCheck {
  verify(userId: string): Promise<ApproverVerdict>;
  /** `verify(userId) === 'approver'`. */
  isApprover(userId: string): Promise<boolean>;
}

export interface ApproverCheckDeps {
  config: Pick<Config, 'slack'>;
  chat: Chat;
  clock: Clock;
  logger: Logger;
}

export interface ApproverCheckTimings {
  /** How long a fetched membership is used without asking again. */
  ttlSeconds: number;
  /** How long past the TTL the last known membership may stand in while Slack cannot be asked. */
  maxStaleSeconds: number;
  /** Wait after the first failure; doubled after each further one, up to `maxBackoffSeconds`. */
  backoffSeconds: number;
  maxBackoffSeconds: number;
}

/** Membership changes rarely; five minutes keeps `usergroups.users.list` (Tier 2) far from its limit. */
export const APPROVER_GROUP_TTL_SECONDS = 300;

/**
 * A removed approver keeps approving for at most TTL + 10 minutes during an outage (found item 14: it was
 * indefinite); retries back off from 10 s to 5 minutes, so an outage costs a handful of calls, not one a check.
 */
export const DEFAULT_APPROVER_TIMINGS: ApproverCheckTimings = {
  ttlSeconds: APPROVER_GROUP_TTL_SECONDS,
  maxStaleSeconds: 600,
  backoffSeconds: 10,
  maxBackoffSeconds: 300,
};

interface GroupState {
  members?: ReadonlySet<string>;
  fetchedAtMs?: number;
  failures: number;
  /** No request before this time (backing off after a failure). */
  retryAtMs: number;
  inFlight?: Promise<void>;
}

/**
 * `APPROVERS` users are checked directly; user groups (`S…`) through `usergroups.users.list`, cached per group
 * with a TTL. Concurrent checks share one request per group. While Slack cannot be asked, the last known
 * membership stands in until it is `maxStaleSeconds` past its TTL; after that, or with none, the answer is
 * `unverifiable` (fail closed).
 */
export function createApproverCheck(
  deps: ApproverCheckDeps,
  timings: Partial<ApproverCheckTimings> | number = {},
): ApproverCheck {
  const t: ApproverCheckTimings = {
    ...DEFAULT_APPROVER_TIMINGS,
    ...(typeof timings === 'number' ? { ttlSeconds: timings } : timings),
  };
  const users = new Set(deps.config.slack.approvers.users);
  const groups = deps.config.slack.approvers.groups;
  const states = new Map(groups.map((id): [string, GroupState] => [id, { failures: 0, retryAtMs: 0 }]));
  const nowMs = () => deps.clock.now().getTime();

  async function refresh(groupId: string, state: GroupState): Promise<void> {
    try {
      state.members = new Set(await deps.chat.userGroupMembers(groupId));
      state.fetchedAtMs = nowMs();
      state.failures = 0;
      state.retryAtMs = 0;
    } catch (error) {
      if (slackErrorCode(error) === 'no_such_subteam') {
        // Slack's definite answer that the group does not exist: no members, not an outage.
        deps.logger.warn({ groupId }, 'APPROVERS names a user group Slack does not know');
        state.members = new Set();
        state.fetchedAtMs = nowMs();
        state.failures = 0;
        return;
      }
      state.failures += 1;
      const waitSeconds = Math.min(t.backoffSeconds * 2 ** (state.failures - 1), t.maxBackoffSeconds);
      state.retryAtMs = nowMs() + waitSeconds * 1000;
      deps.logger.warn(
        { err: error, groupId, failures: state.failures, retryInSeconds: waitSeconds },
        'could not list approver group members (needs the usergroups:read scope)',
      );
    }
  }

  /** The members, or undefined when they cannot be known within the staleness bound. */
  async function membersOf(groupId: string): Promise<ReadonlySet<string> | undefined> {
    const state = states.get(groupId) as GroupState;
    const age = () => (state.fetchedAtMs === undefined ? Infinity : nowMs() - state.fetchedAtMs);
    if (age() < t.ttlSeconds * 1000) return state.members;
    if (nowMs() >= state.retryAtMs) {
      state.inFlight ??= refresh(groupId, state).finally(() => (state.inFlight = undefined));
    }
    if (state.inFlight) await state.inFlight;
    return age() <= (t.ttlSeconds + t.maxStaleSeconds) * 1000 ? state.members : undefined;
  }

  async function verify(userId: string): Promise<ApproverVerdict> {
    if (users.has(userId)) return 'approver';
    let unknown = false;
    for (const groupId of groups) {
      const members = await membersOf(groupId);
      if (members?.has(userId)) return 'approver';
      if (!members) unknown = true;
    }
    return unknown ? 'unverifiable' : 'not_approver';
  }

  return { verify, isApprover: async (userId) => (await verify(userId)) === 'approver' };
}

const checks = new WeakMap<object, ApproverCheck>();

/** One check (and one cache) per set of dependencies, shared by every handler registered with them. */
export function approverCheckFor(deps: ApproverCheckDeps): ApproverCheck {
  let check = checks.get(deps);
  if (!check) {
    check = createApproverCheck(deps);
    checks.set(deps, check);
  }
  return check;
}

/**
 * What to tell a user who may not do this: `notApprover` when they are not one, the "could not be checked"
 * line when Slack could not say; undefined when they are an approver.
 */
export async function approverRefusal(
  deps: ApproverCheckDeps,
  userId: string,
  notApprover: string,
): Promise<string | undefined> {
  const verdict = await approverCheckFor(deps).verify(userId);
  if (verdict === 'approver') return undefined;
  if (verdict === 'unverifiable') {
    deps.logger.warn({ userId }, 'refused: the approver list could not be checked');
    return APPROVER_LIST_UNCHECKED;
  }
  return notApprover;
}
