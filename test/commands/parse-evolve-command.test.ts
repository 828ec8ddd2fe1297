import { describe, expect, it } from 'vitest';
import { parseEvolveArgs } from '../../src/commands/parse-evolve-command.js';
import { tokenize } from '../../src/commands/tokenize.js';

const parse = (text: string) => parseEvolveArgs(tokenize(text));

describe('/paper evolve', () => {
  it('takes a paper id with the defaults: 8 variants, 5 generations', () => {
    expect(parse('2401.00001')).toMatchObject({
      ok: true,
      command: { kind: 'evolve', input: '2401.00001', variants: 8, generations: 5 },
    });
    const command = parse('2401.00001');
    expect(command.ok && command.command.minutes).toBeUndefined();
  });

  it('reads every option, in either form', () => {
    expect(
      parse(
        'p_abc123 --variants 3 --generations=2 --minutes 5 --max-usd $4.50 --metric val_loss:min --target cuda',
      ),
    ).toMatchObject({
      ok: true,
      command: {
        variants: 3,
        generations: 2,
        minutes: 5,
        maxUsd: 4.5,
        objective: { metric: 'val_loss', direction: 'min' },
        target: 'cuda',
      },
    });
  });

  it.each([
    ['', /needs one paper id/],
    ['2401.00001 --variants 40', /--variants must be between 1 and 16/],
    ['2401.00001 --variants three', /--variants needs a whole number/],
    ['2401.00001 --max-usd -1', /--max-usd needs a positive number/],
    ['2401.00001 --metric accuracy', /--metric needs name:min or name:max/],
    ['2401.00001 --target tpu', /--target is neuron or cuda/],
    ['2401.00001 --budget 4', /--budget is not an option/],
    ['2401.00001 --variants 3 --variants 4', /given twice/],
    ['"two words"', /is not a paper id/],
  ])('refuses %j with the reason and the usage', (text, problem) => {
    const parsed = parse(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
    expect(!parsed.ok && parsed.usage).toContain('/paper evolve <id>');
  });
});
