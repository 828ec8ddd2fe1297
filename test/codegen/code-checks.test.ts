import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCodeChecks } from '../../src/codegen/checks/run-code-checks.js';

const GOOD = readFileSync(new URL('../fixtures/codegen/good-train.py', import.meta.url), 'utf8');
const GOOD_CUDA = readFileSync(new URL('../fixtures/codegen/good-train-cuda.py', import.meta.url), 'utf8');
const CHECKPOINT_CHECK =
  'Checkpoints to SHERPA_CHECKPOINT_DIR and resumes (model, optimizer, step; on SIGTERM)';
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
      CHECKPOINT_CHECK,
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
    [
      'a checkpoint folder of its own',
      GOOD.replace('os.environ.get("SHERPA_CHECKPOINT_DIR", "checkpoint")', '"checkpoint"'),
      CHECKPOINT_CHECK,
      /never reads SHERPA_CHECKPOINT_DIR/,
    ],
    [
      'no SIGTERM handler',
      GOOD.replace('    signal.signal(signal.SIGTERM, request_stop)\n', ''),
      CHECKPOINT_CHECK,
      /does not save on SIGTERM.*spot interruption/,
    ],
    [
      'no resume',
      GOOD.replace('state = torch.load(CHECKPOINT)', 'state = {"model": {}, "optimizer": {}, "step": 0}'),
      CHECKPOINT_CHECK,
      /never resumes/,
    ],
    [
      'a checkpoint saved only after training',
      GOOD.replace('            save_checkpoint(model, optimizer, step)\n', '            pass\n').replace(
        '\n\n\nif __name__',
        '\n    save_checkpoint(model, optimizer, STEPS)\n\n\nif __name__',
      ),
      CHECKPOINT_CHECK,
      /only outside the training loop/,
    ],
    [
      'a checkpoint without the optimizer',
      GOOD.replace('"optimizer": optimizer.state_dict(), ', '').replace(
        'optimizer.load_state_dict(state["optimizer"])',
        'pass',
      ),
      CHECKPOINT_CHECK,
      /optimizer state/,
    ],
  ])('rejects %s', async (_what, code, failedCheck, detail) => {
    expect(code).not.toBe(GOOD);
    const report = await runCodeChecks(code, noHosts);
    expect(report.passed).toBe(false);
    expect(failedNames(report)).toEqual([failedCheck]);
    expect(report.checks.find((check) => check.name === failedCheck)?.detail).toMatch(detail);
  });

  const cuda = { ...noHosts, backend: 'cuda' as const };

  it('passes a GPU version on the cuda backend: CUDA allowed, no torch_xla', async () => {
    const report = await runCodeChecks(GOOD_CUDA, cuda);
    expect(report.checks.filter((check) => !check.passed)).toEqual([]);
    const names = report.checks.map((check) => check.name);
    expect(names).toEqual(
      expect.arrayContaining(['Runs on a GPU (CUDA device)', 'No torch_xla', CHECKPOINT_CHECK]),
    );
    expect(names).not.toContain('No CUDA');
  });

  it('refuses torch_xla and requires a CUDA device on the cuda backend', async () => {
    const [withXla, onCpu] = await Promise.all([
      runCodeChecks(
        GOOD_CUDA.replace('import torch.nn as nn\n', 'import torch.nn as nn\nimport torch_xla\n'),
        cuda,
      ),
      runCodeChecks(
        GOOD_CUDA.replace('torch.device("cuda")', 'torch.device("cpu")').replace(
          '            torch.cuda.synchronize()\n',
          '',
        ),
        cuda,
      ),
    ]);
    expect(failedNames(withXla)).toEqual(['No torch_xla']);
    expect(failedNames(onCpu)).toEqual(['Runs on a GPU (CUDA device)']);
  });

  it("fails each backend's script on the other backend", async () => {
    const [trainiumOnGpu, gpuOnTrainium] = await Promise.all([
      runCodeChecks(GOOD, cuda),
      runCodeChecks(GOOD_CUDA, noHosts),
    ]);
    expect(failedNames(trainiumOnGpu)).toEqual(['Runs on a GPU (CUDA device)', 'No torch_xla']);
    expect(failedNames(gpuOnTrainium)).toEqual(['Runs on Trainium (torch_xla device and sync)', 'No CUDA']);
  });

  it('holds a GPU version to the checkpoint contract too', async () => {
    const report = await runCodeChecks(GOOD_CUDA.replace(/torch\.load\(CHECKPOINT\)/, '{}'), cuda);
    expect(failedNames(report)).toEqual([CHECKPOINT_CHECK]);
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
