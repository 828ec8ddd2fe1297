import { parsePaperReference, type PaperReference } from '../domain/identifiers.js';
import { parseObjective, type Objective } from '../domain/objective.js';
import type { ParseResult } from './parse-result.js';
import { parseFlags } from './tokenize.js';

/** `/paper evolve …` (issue 13, item 1). Values left out are filled by the caller from the run and the paper. */
export interface EvolveCommand {
  kind: 'evolve';
  reference: PaperReference;
  input: string;
  variants: number;
  generations: number;
  /** Absent: the run's own budget. */
  minutes?: number;
  /** Absent: what is left of today's budget. */
  maxUsd?: number;
  /** Absent: the objective the paper's code version declares. */
  objective?: Objective;
  target?: 'neuron' | 'cuda';
}

export const EVOLVE_USAGE = [
  '*How to use /paper evolve* (approvers)',
  '• `/paper evolve <id> [--variants N] [--generations M] [--minutes T] [--max-usd X] [--metric name:min|max] [--target neuron|cuda]`',
  'Defaults: 8 variants, 5 generations, the last run’s budget, the code’s own objective. Sherpa posts the plan and its cost first; nothing runs until an approver confirms it.',
].join('\n');

const FLAGS = new Set(['variants', 'generations', 'minutes', 'max-usd', 'metric', 'target']);

function integer(name: string, text: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(text)) return `--${name} needs a whole number, not "${text}".`;
  const value = Number(text);
  return value < min || value > max ? `--${name} must be between ${min} and ${max}.` : value;
}

function positive(name: string, text: string, max: number): number | string {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value <= 0)
    return `--${name} needs a positive number, not "${text}".`;
  return value > max ? `--${name} can be at most ${max}.` : value;
}

/** Parse the words after `/paper evolve` with the shared tokenizer's flag reader. Never throws. */
export function parseEvolveArgs(words: readonly string[]): ParseResult<EvolveCommand> {
  const fail = (problem: string): ParseResult<EvolveCommand> => ({ ok: false, problem, usage: EVOLVE_USAGE });
  const { positional, flags, repeated } = parseFlags(words);
  if (repeated.length > 0) return fail(`--${repeated[0]} is given twice.`);
  const unknown = [...flags.keys()].find((name) => !FLAGS.has(name));
  if (unknown) return fail(`--${unknown} is not an option of /paper evolve.`);
  if (positional.length !== 1)
    return fail('`/paper evolve` needs one paper id, for example `/paper evolve 2401.00001 --variants 4`.');
  const input = positional[0] as string;
  const reference = parsePaperReference(input);
  if (!reference)
    return fail(`"${input}" is not a paper id, an arXiv id or URL, an OpenReview id or URL, or a DOI.`);
  const command: EvolveCommand = { kind: 'evolve', reference, input, variants: 8, generations: 5 };
  const read = <T>(name: string, parse: (text: string) => T | string): T | string | undefined => {
    const text = flags.get(name);
    return text === undefined ? undefined : parse(text);
  };
  const variants = read('variants', (t) => integer('variants', t, 1, 16));
  const generations = read('generations', (t) => integer('generations', t, 1, 20));
  const minutes = read('minutes', (t) => positive('minutes', t, 240));
  const maxUsd = read('max-usd', (t) => positive('max-usd', t.replace(/^\$/, ''), 10_000));
  const metric = read(
    'metric',
    (t) => parseObjective(t) ?? `--metric needs name:min or name:max, not "${t}".`,
  );
  const target = read('target', (t) =>
    t === 'neuron' || t === 'cuda' ? t : `--target is neuron or cuda, not "${t}".`,
  );
  for (const value of [variants, generations, minutes, maxUsd, metric, target])
    if (typeof value === 'string' && value.startsWith('--')) return fail(value);
  if (typeof variants === 'number') command.variants = variants;
  if (typeof generations === 'number') command.generations = generations;
  if (typeof minutes === 'number') command.minutes = minutes;
  if (typeof maxUsd === 'number') command.maxUsd = maxUsd;
  if (metric && typeof metric === 'object') command.objective = metric;
  if (target === 'neuron' || target === 'cuda') command.target = target;
  return { ok: true, command };
}
