import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCodeChecks } from '../../src/codegen/checks/run-code-checks.js';

const GOOD = readFileSync(new URL('../fixtures/codegen/good-train.py', import.meta.url), 'utf8');
const noHosts = { allowedHosts: [] };

function failedNames(report: Awaited<ReturnType<typeof runCodeChecks>>): string[] {
  return report.checks.filter((check) => !check.passed).map((check) => check.name);
}

describe('runCodeChecks', () => {
  it('passes a well-formed Trainium training script', async () => {
    const report = await runCodeChecks(GOOD, noHosts);
    expect(report.passed).toBe(true);
    expect(report.checks.map((check) => check.name)).toEqual([
      'Python syntax',
      'METRICS line per step',
      'Runs on Trainium (torch_xla device and sync)',
      'No CUDA',
      'No subprocess, shell or dynamic code',
      'Network only to allowed dataset hosts',
      'Stops within the wall-clock budget',
    ]);
  });

  it('reports a syntax error (a truncated reply) with the line, and nothing else', async () => {
    const truncated = GOOD.slice(0, GOOD.indexOf('loss_fn(logits') + 10);
    const report = await runCodeChecks(truncated, noHosts);
    expect(report.passed).toBe(false);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ name: 'Python syntax', passed: false });
    expect(report.checks[0]?.detail).toMatch(/line \d+/);
  });

  it.each([
    ['a .cuda() call', GOOD.replace('TinyLM().to(device)', 'TinyLM().cuda()'), 'No CUDA', /\.cuda\(\)/],
    [
      'torch.cuda',
      GOOD.replace('torch.manual_seed(0)', 'torch.cuda.manual_seed(0)'),
      'No CUDA',
      /torch\.cuda/,
    ],
    [
      'a "cuda" device',
      GOOD.replace('torch.manual_seed(0)', 'torch.zeros(1, device="cuda")'),
      'No CUDA',
      /cuda/,
    ],
    ['triton', GOOD.replace('import torch_xla\n', 'import torch_xla\nimport triton\n'), 'No CUDA', /triton/],
    [
      'subprocess',
      GOOD.replace('import time\n', 'import time\nimport subprocess\n'),
      'No subprocess, shell or dynamic code',
      /subprocess/,
    ],
    [
      'os.system',
      GOOD.replace('torch.manual_seed(0)', 'os.system("nvidia-smi")'),
      'No subprocess, shell or dynamic code',
      /os\.system/,
    ],
    [
      'exec of a string',
      GOOD.replace('torch.manual_seed(0)', 'exec("import socket")'),
      'No subprocess, shell or dynamic code',
      /exec\(\)/,
    ],
    [
      'a socket',
      GOOD.replace('import time\n', 'import time\nfrom socket import create_connection\n'),
      'Network only to allowed dataset hosts',
      /socket/,
    ],
    [
      'a download from an unlisted host',
      GOOD.replace(
        'torch.manual_seed(0)',
        'import urllib.request\n    urllib.request.urlretrieve("https://example.com/data.bin", "data.bin")',
      ),
      'Network only to allowed dataset hosts',
      /urllib\.request/,
    ],
    [
      'no METRICS line',
      GOOD.replace('print("METRICS: "', 'print("loss: "'),
      'METRICS line per step',
      /never/,
    ],
    [
      'METRICS only after training',
      GOOD.replace('emit(step, loss.item()', 'last = (step, loss.item()').replace(
        '\n\n\nif __name__',
        '\n    emit(last[0], last[1], 0.0)\n\n\nif __name__',
      ),
      'METRICS line per step',
      /outside the training loop/,
    ],
    [
      'no torch_xla.sync()',
      GOOD.replace('torch_xla.sync()', 'pass'),
      'Runs on Trainium (torch_xla device and sync)',
      /sync/,
    ],
    [
      'no budget',
      GOOD.replace('os.environ.get("SHERPA_RUN_BUDGET_SECONDS", "600")', '"600"'),
      'Stops within the wall-clock budget',
      /SHERPA_RUN_BUDGET_SECONDS/,
    ],
  ])('rejects %s', async (_what, code, failedCheck, detail) => {
    expect(code).not.toBe(GOOD);
    const report = await runCodeChecks(code, noHosts);
    expect(report.passed).toBe(false);
    expect(failedNames(report)).toEqual([failedCheck]);
    expect(report.checks.find((check) => check.name === failedCheck)?.detail).toMatch(detail);
  });

  it('allows dataset downloads only from the configured hosts', async () => {
    const withHub = GOOD.replace(
      'torch.manual_seed(0)',
      'from datasets import load_dataset\n    _text = load_dataset("wikitext", "wikitext-2-raw-v1", split="train[:1%]")',
    );
    const refused = await runCodeChecks(withHub, noHosts);
    expect(failedNames(refused)).toEqual(['Network only to allowed dataset hosts']);
    expect(refused.findings[0]?.message).toMatch(/huggingface\.co/);

    const allowed = await runCodeChecks(withHub, { allowedHosts: ['huggingface.co'] });
    expect(allowed.passed).toBe(true);
  });

  it('does not mistake a URL in a docstring for a download', async () => {
    const cited = GOOD.replace('(Trainium, torch-neuronx).', '(https://arxiv.org/abs/2401.00001).');
    expect((await runCodeChecks(cited, noHosts)).passed).toBe(true);
  });

  it('checks that a script puts its declared objective in a METRICS line (issue 13, item 2)', async () => {
    const declared = await runCodeChecks(GOOD, { ...noHosts, objectiveMetric: 'perplexity' });
    expect(declared.passed).toBe(true);
    expect(declared.checks.at(-1)).toEqual({ name: 'Prints the objective (perplexity)', passed: true });
    const missing = await runCodeChecks(GOOD, { ...noHosts, objectiveMetric: 'val_accuracy' });
    expect(failedNames(missing)).toEqual(['Prints the objective (val_accuracy)']);
    expect(missing.checks.at(-1)?.detail).toMatch(/never puts the objective `val_accuracy`/);
  });
});
