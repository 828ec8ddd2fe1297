import type { RunnerBackend } from './runner-contract.js';
import type { EvolveSearch, Variant } from './evolve-search.js';

/**
 * What the smoke gate's window allows for the first compile, by backend: a first Neuron compile of a new graph
 * takes minutes (3 in the bench, bench/evolve-search.ts); CUDA and CPU only import torch and initialise the
 * device. The runner counts the window from the code's start, compile included (trainium-runner/README.md,
 * "The smoke gate", says why), so this bounds what a variant that never reports the objective costs.
 */
export const SMOKE_COMPILE_ALLOWANCE_SECONDS: Record<RunnerBackend, number> = {
  neuron: 240,
  cuda: 60,
  cpu: 30,
};

/** The smoke gate's window: the search's few steps plus the backend's first-compile allowance. */
export function smokeGateSeconds(search: Pick<EvolveSearch, 'settings'>, backend: RunnerBackend): number {
  return search.settings.smokeSeconds + SMOKE_COMPILE_ALLOWANCE_SECONDS[backend];
}

/** Whether a variant's run carries the smoke gate: a child's, never the parent's (its code has run already). */
export function isGated(variant: Pick<Variant, 'role'>, stage: 'smoke' | 'run'): boolean {
  return stage === 'run' && variant.role === 'child';
}
