import { readFileSync } from 'node:fs';
import { createPatch } from 'diff';
import { toolUse, type FakeReply, type RecordedConverse, type Responder } from './fake-bedrock.js';

/**
 * The training script of the evolve end-to-end tests: the Neuron contract (torch_xla device and sync, METRICS
 * per step with the objective `val_loss`, the wall-clock budget, the checkpoint on SIGTERM) with a
 * standard-library stand-in for torch, so it passes the real code checks and runs in a second on this host.
 * Its final val_loss is a function of `LR` alone: (1 − LR)^5 + 1 / (1 + 10·LR), lowest near LR 0.9.
 */
export const EVOLVE_SCRIPT = readFileSync(
  new URL('../fixtures/evolve/standin-train.py', import.meta.url),
  'utf8',
);

/** The script's last val_loss at a learning rate, as it prints it (rounded to 4 places). */
export const finalLoss = (lr: number) =>
  Math.round((Math.abs(1 - (1 - (1 - lr) ** 5)) + 1 / (1 + 10 * lr)) * 1e4) / 1e4;

/** The text of a recorded Converse request's first user message. */
const promptOf = (request: RecordedConverse): string =>
  ((request.body.messages?.[0]?.content ?? []) as { text?: string }[]).map((b) => b.text ?? '').join('\n');

/**
 * The proposal model (Bedrock, loopback): each `record_variants` call answers one diff per label asked for,
 * each setting `LR` in the parent it was shown to the next value of `rates` for that call (call 1 gets
 * rates[0], …), so every variant is a real, distinct unified diff against its actual parent. `usage` is what
 * each call reports (the ledger's actual figures). Any other tool is a test failure.
 */
export function variantResponder(
  rates: readonly (readonly number[])[],
  usage: (call: number) => { inputTokens: number; outputTokens: number } = () => ({
    inputTokens: 3_000,
    outputTokens: 1_500,
  }),
): Responder & { calls: number } {
  const responder = ((request: RecordedConverse): FakeReply => {
    if (request.toolName !== 'record_variants') throw new Error(`unexpected tool ${request.toolName}`);
    responder.calls += 1;
    const call = responder.calls;
    const text = promptOf(request);
    const parent = /Parent train\.py:\n```python\n([\s\S]*?)\n```/.exec(text)?.[1];
    const labels = /in this order: ([a-z, ]+)\./.exec(text)?.[1]?.split(', ') ?? [];
    if (parent === undefined) throw new Error('no parent in the prompt');
    const values = rates[call - 1] ?? rates.at(-1) ?? [];
    const variants = labels.map((label, index) => {
      const lr = values[index % values.length] ?? 0.5;
      return {
        label,
        strategy: `learning rate ${lr}`,
        diff: createPatch(
          'train.py',
          `${parent}\n`,
          `${parent.replace(/^LR = .*$/m, `LR = ${lr}`)}\n`,
          '',
          '',
        ),
      };
    });
    return toolUse({ variants }, usage(call));
  }) as Responder & { calls: number };
  responder.calls = 0;
  return responder;
}
