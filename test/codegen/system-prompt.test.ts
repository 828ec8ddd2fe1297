import { describe, expect, it } from 'vitest';
import { codegenSystemPrompt } from '../../src/codegen/prompts/system-prompt.js';

const config = { codegen: { runBudgetMinutes: 10, allowedDatasetHosts: [] } } as unknown as Parameters<
  typeof codegenSystemPrompt
>[0];

describe('codegenSystemPrompt', () => {
  it('writes for Trainium by default, with the checkpoint contract', () => {
    const prompt = codegenSystemPrompt(config);
    expect(prompt).toContain('on AWS Trainium');
    expect(prompt).toContain('device = torch_xla.device()');
    expect(prompt).toContain('Never CUDA');
    expect(prompt).toContain('os.environ.get("SHERPA_CHECKPOINT_DIR", "checkpoint")');
    expect(prompt).toContain('signal.signal(signal.SIGTERM, handler)');
    expect(prompt).toContain('continue at the saved step + 1');
    expect(prompt).toContain('save CPU copies');
  });

  it('writes a GPU version for the cuda backend: CUDA rules, no torch_xla, the same checkpoint contract', () => {
    const prompt = codegenSystemPrompt(config, 'cuda');
    expect(prompt).toContain('on an NVIDIA GPU on AWS');
    expect(prompt).toContain('device = torch.device("cuda")');
    expect(prompt).toContain('Never torch_xla');
    expect(prompt).not.toContain('device = torch_xla.device()');
    expect(prompt).toContain('os.environ.get("SHERPA_CHECKPOINT_DIR", "checkpoint")');
    expect(prompt).not.toContain('save CPU copies');
  });
});
