import type { EvolveSearch } from '../domain/evolve-search.js';
import type { ThreadRef } from '../domain/paper.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { threadUrl } from './slack-time.js';

/**
 * What starting and steering an evolve search says (issue 13, items 1 and 6): the ephemeral answers to the
 * Evolve button, `/paper evolve`, Confirm, Stop and Adopt when they change nothing, and the lines they leave in
 * the paper's thread. Every answer says whether anything happened. Pure.
 */

/** `COMPUTE=none`: variants could never run. */
export const EVOLVE_NO_COMPUTE =
  ':x: Runs are off in this Sherpa (`COMPUTE=none`), so a search could not run any variant. Nothing was started.';

export function evolvePaperGone(paperId: string): string {
  return `Paper \`${paperId}\` is not in Sherpa’s store any more; nothing was started.`;
}

export function evolveNoSucceededRun(paperId: string): string {
  return `Paper \`${paperId}\` has no succeeded run to evolve from: a search starts from code that ran. Run its code first; nothing was started.`;
}

export function evolveNoThread(paperId: string): string {
  return `Paper \`${paperId}\` has no thread in Slack to post the plan in; nothing was started.`;
}

/** The code version declares no objective (made before objectives were asked for) and none was given. */
export function evolveNoObjective(version: number, input: string): string {
  return (
    `Code v${version} declares no objective metric, so Sherpa cannot tell a better variant from a worse one. ` +
    `Name one: \`/paper evolve ${escapeMrkdwn(input)} --metric val_loss:min\` (a key the script prints on its METRICS lines). Nothing was started.`
  );
}

/** The run that the search would start from never printed the objective: every variant would fail. */
export function evolveMetricNotPrinted(metric: string, runId: string, printed: readonly string[]): string {
  const keys = printed.length
    ? `It printed ${printed
        .slice(0, 12)
        .map((key) => `\`${escapeMrkdwn(key)}\``)
        .join(', ')}.`
    : 'It printed no metrics.';
  return `Run \`${runId}\` never printed \`${escapeMrkdwn(metric)}\`, so no variant could be scored by it. ${keys} Give another with \`--metric name:min|max\`; nothing was started.`;
}

export function evolveTargetMismatch(version: number, code: 'neuron' | 'cuda', target: string): string {
  const hardware = { neuron: 'Trainium', cuda: 'GPU (CUDA)' } as const;
  return `Code v${version} is written for ${hardware[code]}, not ${escapeMrkdwn(target)}: port it first (Port to … on its code step), then evolve the port. Nothing was started.`;
}

export function evolveBudgetSpent(spentUsd: string, dailyUsd: string): string {
  return `Today's budget is spent (${spentUsd} of ${dailyUsd}), so there is nothing left to cap a search with. Give \`--max-usd\` once there is room, or raise DAILY_BUDGET_USD; nothing was started.`;
}

const HUMAN_STATE: Record<EvolveSearch['state'], string> = {
  planned: 'planned, waiting for its confirmation',
  confirmed: 'confirmed, about to start',
  proposing: 'asking Claude for variants',
  smoke: 'smoke-testing variants',
  running: 'running variants',
  judged: 'between generations',
  finished: 'finished',
  stopped: 'stopped',
  capped: 'stopped at its cap',
};

export function describeSearchState(search: Pick<EvolveSearch, 'state' | 'generation'>): string {
  const generation = search.generation > 0 ? ` (generation ${search.generation})` : '';
  return `${HUMAN_STATE[search.state]}${generation}`;
}

/** One live search per paper: the existing one is named instead of planning a second. */
export function evolveAlreadyLive(
  search: Pick<EvolveSearch, 'id' | 'state' | 'generation' | 'thread'>,
): string {
  const where = search.thread ? ` <${threadUrl(search.thread)}|See the thread>.` : '';
  return `This paper already has a live search (\`${search.id}\`, ${describeSearchState(search)}): one search per paper at a time; Stop it first to start another. Nothing was started.${where}`;
}

/** `/paper evolve` answered: where the plan is. */
export function evolvePlanPostedAnswer(thread: ThreadRef, fits: boolean): string {
  return fits
    ? `🧬 The plan is in the paper's thread: <${threadUrl(thread)}|open it>. Nothing runs until an approver confirms it there.`
    : `🧬 The plan is in the paper's thread (<${threadUrl(thread)}|open it>), but it is over its cap or today's budget, so it will not start. Ask again with a larger \`--max-usd\`, fewer variants or generations, or shorter \`--minutes\`.`;
}

export const EVOLVE_SEARCH_GONE = 'That search is not in Sherpa’s store any more; nothing was changed.';
export const EVOLVE_BUTTON_WITHOUT_SEARCH = 'That button carries no search; nothing was changed.';

/** Confirm (or its modal) on a plan that is no longer waiting for one. */
export function evolveNotPlanned(search: Pick<EvolveSearch, 'state' | 'generation' | 'confirmedBy'>): string {
  if (search.confirmedBy)
    return `Nothing to do: <@${search.confirmedBy}> already confirmed this search; it is ${describeSearchState(search)}.`;
  return `Nothing to do: this plan is ${describeSearchState(search)} and can no longer be confirmed. Ask \`/paper evolve\` for a new plan.`;
}

/** Stop on a search that already ended. */
export function evolveAlreadyOver(search: Pick<EvolveSearch, 'state' | 'generation'>): string {
  return `Nothing to stop: the search is already ${describeSearchState(search)}.`;
}

/** The thread line a confirmation leaves (the plan message changes too, but an edit notifies nobody). */
export function evolveConfirmedLine(userId: string, note: string): string {
  const why = note ? `: “${escapeMrkdwn(note)}”` : '';
  return `▶️ <@${userId}> confirmed the evolve search; it starts now${why}`;
}

/** The thread line of a plan cancelled before it started. */
export function evolveCancelledLine(userId: string): string {
  return `🚫 <@${userId}> cancelled the evolve plan; nothing ran.`;
}

/** Who stopped the search, and how (issue 13, item 6). */
export function evolveStopLine(userId: string, mode: 'after_in_flight' | 'now', cancelled: number): string {
  if (mode === 'now')
    return `⏹️ <@${userId}> stopped the search *now*: ${cancelled === 1 ? '1 run in flight was' : `${cancelled} runs in flight were`} cancelled; nothing new starts.`;
  return `🛑 <@${userId}> stopped the search: the runs in flight finish, nothing new starts.`;
}

/** Stop pressed again in the same mode: the first one stands. */
export function evolveAlreadyStopping(by: string, mode: 'after_in_flight' | 'now'): string {
  return `Nothing to do: <@${by}> already stopped this search${mode === 'now' ? ' now' : ''}; it ends ${mode === 'now' ? 'at once' : 'after the runs in flight'}.`;
}

/** Adopt clicked again: the version is already the paper's current code. */
export function evolveAlreadyAdopted(version: number): string {
  return `Nothing to do: this variant is already code v${version}, the paper's current code. Its code step in the thread has the Run buttons.`;
}

/** Confirmed, but the hand-over to the search worker failed: said, never passed off as started. */
export const EVOLVE_HANDOVER_FAILED =
  ':warning: The search is confirmed, but Sherpa could not hand it to the search worker; the details are in the bot log. It has not started yet.';

/**
 * An upload a crash interrupted, when Sherpa cannot look in the thread for it (a missing scope, a thread gone):
 * said in the thread, never uploaded a second time blind (exactly once, or visibly not).
 */
export function evolveFileUnproven(filename: string, title: string, code: string): string {
  return `:warning: Sherpa was interrupted while uploading \`${escapeMrkdwn(filename)}\` (${escapeMrkdwn(title)}) and could not look in this thread for it (Slack said \`${escapeMrkdwn(code)}\`), so it is not uploaded again: it may be missing here.`;
}
