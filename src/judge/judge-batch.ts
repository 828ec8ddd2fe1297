import type { Paper } from '../domain/paper.js';
import { ConfigError, describeForUser, PermanentError } from '../errors.js';
import { llmVerdict, stateForVerdict, verdictNote } from './decide.js';
import { DEFAULT_SIMILAR_COUNT, type JudgeDeps, type JudgeOptions } from './judge-deps.js';
import type { JudgeOutcome } from './judge-outcome.js';
import { type BatchEntry, judgeBatchMessage, judgeSystemPrompt, type SimilarEntry } from './judge-prompt.js';
import { settleFailure, settleVerdict } from './settle-paper.js';
import { VerdictListSchema, verdictReplySchema } from './verdict-reply.js';

/**
 * Output tokens allowed per paper: a verdict with its texts takes about 100, scores alone about 15; the limit only
 * guards against runaway replies (a truncated batch is judged again paper by paper).
 */
const MAX_OUTPUT_TOKENS_PER_PAPER = 300;

export interface Candidate {
  paper: Paper;
  prefilterScore: number;
}

const schemas = new Map<number, ReturnType<typeof verdictReplySchema>>();
/** One schema per batch size: the tool definition stays byte-identical, so it stays in the prompt cache. */
function schemaFor(size: number): ReturnType<typeof verdictReplySchema> {
  let schema = schemas.get(size);
  if (!schema) {
    const keys = Array.from({ length: size }, (_, i) => `P${i + 1}`) as [string, ...string[]];
    schema = verdictReplySchema(keys);
    schemas.set(size, schema);
  }
  return schema;
}

/** The most similar indexed papers for each candidate, shared across the batch under keys S1, S2, … */
async function similarPapers(
  deps: JudgeDeps,
  batch: readonly Candidate[],
  count: number,
): Promise<{ entries: BatchEntry[]; similar: SimilarEntry[]; comparedWith: string[][] }> {
  const inBatch = new Set(batch.map((c) => c.paper.id));
  const lists = await Promise.all(
    batch.map(({ paper }) =>
      deps.papers
        .similar(`${paper.title} ${paper.abstract.slice(0, 500)}`, {
          limit: count + inBatch.size,
          excludeId: paper.id,
        })
        .catch((error: unknown) => {
          // Novelty against nothing beats no verdict: the model is told there are no similar papers.
          deps.logger.warn({ err: error, paperId: paper.id }, 'Similar-paper lookup failed');
          return [];
        }),
    ),
  );
  const keyOf = new Map<string, string>();
  const similar: SimilarEntry[] = [];
  const comparedWith: string[][] = [];
  const entries = batch.map(({ paper }, index) => {
    // Papers judged in the same call are contemporaries, not prior work.
    const neighbours = (lists[index] ?? []).filter((p) => !inBatch.has(p.id)).slice(0, count);
    comparedWith.push(neighbours.map((p) => p.id));
    const similarKeys = neighbours.map((neighbour) => {
      let key = keyOf.get(neighbour.id);
      if (!key) {
        key = `S${keyOf.size + 1}`;
        keyOf.set(neighbour.id, key);
        similar.push({ key, paper: neighbour });
      }
      return key;
    });
    return { key: `P${index + 1}`, paper, similarKeys };
  });
  return { entries, similar, comparedWith };
}

/**
 * Judge several papers in one call. A reply that leaves papers out settles the papers it answers, and each
 * missing paper is judged again alone (never lost, never settled without a verdict). A reply that is unusable
 * for the batch (schema after one repair, truncation, refusal) is retried paper by paper, so one awkward abstract
 * fails alone; transient and configuration errors change nothing and come back as `deferred`.
 */
export async function judgeBatch(
  deps: JudgeDeps,
  batch: readonly Candidate[],
  options: JudgeOptions = {},
): Promise<JudgeOutcome[]> {
  const { config } = deps;
  const modelId = config.bedrock.judgeModelId;
  const { entries, similar, comparedWith } = await similarPapers(
    deps,
    batch,
    options.similarCount ?? DEFAULT_SIMILAR_COUNT,
  );
  let reply;
  try {
    reply = await deps.llm.structured({
      modelId,
      purpose: 'judge',
      paperIds: batch.map((c) => c.paper.id),
      system: judgeSystemPrompt(config.profile),
      messages: [{ role: 'user', content: [{ type: 'text', text: judgeBatchMessage(entries, similar) }] }],
      tool: {
        name: 'record_verdicts',
        description: 'Record one verdict for each paper in the message.',
        schema: schemaFor(batch.length),
        shownSchema: VerdictListSchema,
      },
      maxTokens: MAX_OUTPUT_TOKENS_PER_PAPER * batch.length + 200,
    });
  } catch (error) {
    return failBatch(deps, batch, error, options);
  }

  const judgedAt = deps.clock.now().toISOString();
  const byKey = new Map(reply.output.verdicts.map((item) => [item.paper, item]));
  const missing: Candidate[] = [];
  const settled = await Promise.all(
    batch.map(async (candidate, index) => {
      const item = byKey.get(`P${index + 1}`);
      if (!item) {
        missing.push(candidate);
        return [];
      }
      const verdict = llmVerdict(item, {
        prefilterScore: candidate.prefilterScore,
        modelId: reply.modelId,
        comparedWith: comparedWith[index] ?? [],
        judgedAt,
        thresholds: config.profile.thresholds,
      });
      const state = stateForVerdict(verdict, config.profile.thresholds);
      return [await settleVerdict(deps, candidate.paper, state, verdict, verdictNote(verdict, state))];
    }),
  );
  if (missing.length === 0) return settled.flat();
  // A one-paper call that answers nothing is refused by the schema (`min(1)`), so this never recurses twice.
  deps.logger.warn(
    { paperIds: missing.map((c) => c.paper.id), papers: batch.length },
    'The judge left papers out of its reply; judging each of them alone',
  );
  const retried = await Promise.all(missing.map((candidate) => judgeBatch(deps, [candidate], options)));
  return [...settled.flat(), ...retried.flat()];
}

async function failBatch(
  deps: JudgeDeps,
  batch: readonly Candidate[],
  error: unknown,
  options: JudgeOptions,
): Promise<JudgeOutcome[]> {
  const permanent = error instanceof PermanentError;
  if (permanent && batch.length > 1) {
    deps.logger.warn(
      { err: error, papers: batch.length },
      'Batched judge reply unusable; judging these papers one by one',
    );
    const outcomes = await Promise.all(batch.map((candidate) => judgeBatch(deps, [candidate], options)));
    return outcomes.flat();
  }
  if (permanent) {
    const [candidate] = batch;
    return candidate ? [await settleFailure(deps, candidate.paper, describeForUser(error))] : [];
  }
  const level = error instanceof ConfigError ? 'error' : 'warn';
  deps.logger[level]({ err: error, paperIds: batch.map((c) => c.paper.id) }, 'Judging deferred');
  return batch.map(({ paper }) => ({ paperId: paper.id, kind: 'deferred' as const, error }));
}
