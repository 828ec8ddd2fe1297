import type { Config } from '../../config/load-config.js';
import { BUDGET_ENV, CHECKPOINT_ENV, type CodeBackend } from '../checks/inspect-script.js';

const NEURON_TARGET = `TARGET (fixed)
- A trn1.2xlarge: one Trainium chip with 2 NeuronCores, 32 GiB device memory, 8 vCPUs, 32 GiB host memory. Use ONE NeuronCore: a single process; no torchrun, no torch.distributed, no multiprocessing.
- The Neuron 2.29 Deep Learning AMI, venv /opt/aws_neuronx_venv_pytorch_2_9: PyTorch 2.9 with torch-neuronx and torch_xla (PyTorch/XLA), Python 3.10+.
- Packages: torch, torch_xla, torch_neuronx, numpy and the Python standard library. Nothing else (no torchvision, PIL, pandas, transformers or datasets unless a download host below allows their data).

XLA RULES (the script fails or recompiles every step otherwise)
- device = torch_xla.device(); move the model and every batch with .to(device). torch_xla.device() and torch_xla.sync() exist in this release; xm.xla_device() and xm.mark_step() are deprecated.
- Never CUDA: no .cuda(), no torch.cuda.*, no "cuda" device strings, no Triton, apex, bitsandbytes, flash-attn or xformers.
- End every training step with torch_xla.sync() after optimizer.step().
- Fixed shapes: every batch has the same shape (drop the last partial batch, pad sequences to one length); no Python branching on tensor values inside the step; no boolean-mask indexing, torch.nonzero or torch.unique in the step.
- Read tensors on the host (loss.item(), print(tensor)) only at logging steps, after torch_xla.sync().
- float32 or bfloat16 only: no float64, complex dtypes, integer matmul or fp8. No torch.compile.
- Keep the model small enough to compile in a few minutes (start around 10-50M parameters) unless the idea needs scale.`;

const CUDA_TARGET = `TARGET (fixed)
- One NVIDIA GPU of an AWS g5, g6, p4d or p5 instance (from a 24 GiB A10G/L4 to an 80 GiB A100/H100): size the experiment for 24 GiB. Use ONE GPU: a single process; no torchrun, no torch.distributed, no multiprocessing.
- The AWS Deep Learning Base GPU AMI with PyTorch 2.x and CUDA 12, Python 3.10+.
- Packages: torch, numpy and the Python standard library. Nothing else (no torchvision, PIL, pandas, transformers or datasets unless a download host below allows their data).

GPU RULES
- device = torch.device("cuda"); move the model and every batch with .to(device).
- Never torch_xla, torch_neuronx or XLA device code: this version runs on CUDA only.
- Mixed precision with torch.autocast(device_type="cuda", dtype=torch.bfloat16) is welcome; no fp8. torch.compile only when the idea needs it.
- Read tensors on the host (loss.item()) only at logging steps; call torch.cuda.synchronize() before timing a step.
- Keep the model small enough to train meaningfully within the budget (start around 10-50M parameters) unless the idea needs scale.`;

/**
 * The stable prefix of every code-generation call (cached by Bedrock): the target machine of the code version's
 * backend, the device rules that generated code broke in the prior art (aws.md §4–5, prior-art-annapurna.md §5)
 * and the runner's contract. Only configuration and the backend go in here, never paper text, so all three calls
 * and all papers of one backend share one cache entry.
 */
export function codegenSystemPrompt(
  config: Pick<Config, 'codegen'>,
  backend: CodeBackend = 'neuron',
): string {
  const budgetSeconds = config.codegen.runBudgetMinutes * 60;
  const hosts = config.codegen.allowedDatasetHosts;
  const downloads =
    hosts.length > 0
      ? `Downloads are allowed only from these hosts: ${hosts.join(', ')}. Keep them small (minutes, not hours) and cache into the working directory.`
      : 'The instance has no network access for the script: never download anything (no datasets, no pretrained weights).';
  const machine = backend === 'cuda' ? 'an NVIDIA GPU on AWS' : 'AWS Trainium';
  const saveNote =
    backend === 'cuda'
      ? ''
      : " On Trainium call torch_xla.sync() first and save CPU copies (move the state dicts' tensors with .cpu()).";
  return `You write one self-contained PyTorch training script that tests a research paper's central idea on ${machine}, as the smallest experiment that could support or refute it.

${backend === 'cuda' ? CUDA_TARGET : NEURON_TARGET}

DATA
- Synthetic tensors or a small dataset generated inside the script, shaped like the paper's task, unless the paper's claim needs a specific dataset.
- ${downloads}
- Never read files the script did not create.

CONTRACT WITH THE RUNNER
- Wall-clock budget: BUDGET_SECONDS = int(os.environ.get("${BUDGET_ENV}", "${budgetSeconds}")). Take start = time.monotonic() before training and stop training when time.monotonic() - start exceeds the budget, leaving time to finish cleanly.
- Print one line per logging step or epoch, exactly: print("METRICS: " + json.dumps({...}), flush=True). Include "step" (int), "loss" (float), a throughput named with its unit (e.g. "tokens_per_second" or "samples_per_second") and the paper's own metrics (accuracy, perplexity, ...). Keys stay the same on every line; values are plain JSON numbers (use null, never NaN or Infinity).
- No subprocess, os.system, shell, sockets, network clients (except allowed dataset downloads), cloud SDKs, eval or exec. Write files only into the current working directory and CHECKPOINT_DIR.
- Checkpoint contract (the run may be on spot capacity and be interrupted, then resumed on another machine): CHECKPOINT_DIR = os.environ.get("${CHECKPOINT_ENV}", "checkpoint"). Every N steps (a few minutes of work at most) and when SIGTERM arrives (signal.signal(signal.SIGTERM, handler) that only sets a flag; the loop saves and exits 0 at the next step), torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, ...}, path + ".tmp") then os.replace(path + ".tmp", path) inside CHECKPOINT_DIR.${saveNote} At start, when the checkpoint exists, torch.load it, restore model and optimizer, and continue at the saved step + 1, so the METRICS series continues from the checkpointed step with no step repeated and none missing. The wall-clock budget counts from this start.
- Seed everything (torch.manual_seed). Let exceptions propagate: no broad try/except that hides a failure. Exit 0 on success.

STYLE
- One file, at most about 300 lines, with a module docstring naming the paper and the experiment. Comment where the paper's idea is implemented (name the equation or section). Compare against a baseline in the same script when the idea is a change to one.`;
}
