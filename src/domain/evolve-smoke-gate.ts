import type { RunnerBackend } from './runner-contract.js';
import type { EvolveSearch, Variant } from './evolve-search.js';

/**
 * What the smoke gate's window allows for the code's start-up, by backend: importing torch (and torch_xla),
 * initialising the device or the Neuron runtime and loading a compiled graph. A Neuron compile itself is not in
 * the window: the runner stops the window's clock while a compiler process of the run is alive
 * (trainium-runner/README.md, "The smoke gate"), so a first compile of minutes does not need an allowance here
 * and a variant that never reports the objective costs its compile plus this window, not its budget.
 */
export const SMOKE_STARTUP_ALLOWANCE_SECONDS: Record<RunnerBackend, number> = {
  neuron: 60,
  cuda: 60,
  cpu: 30,
};

/** The smoke gate's window: the search's few steps plus the backend's start-up allowance. */
export function smokeGateSeconds(search: Pick<EvolveSearch, 'settings'>, backend: RunnerBackend): number {
  return search.settings.smokeSeconds + SMOKE_STARTUP_ALLOWANCE_SECONDS[backend];
}

/** Whether a variant's run carries the smoke gate: a child's, never the parent's (its code has run already). */
export function isGated(variant: Pick<Variant, 'role'>, stage: 'smoke' | 'run'): boolean {
  return stage === 'run' && variant.role === 'child';
}
