/**
 * Simulates what happens to one bot process from the outside: `pause()` stalls it (a long GC pause, a frozen VM,
 * a hung network path) until `resume()`; `crash()` kills it for good. A port wrapped with `gated` stops talking
 * to the world at once: calls made after the switch (and answers to calls in flight) never come back, which is
 * exactly what the other workers and the stores see of a dead or frozen process.
 */
export class ProcessSwitch {
  private state: 'up' | 'paused' | 'crashed' = 'up';
  private waiting: (() => void)[] = [];

  pause(): void {
    if (this.state === 'up') this.state = 'paused';
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'up';
    for (const wake of this.waiting.splice(0)) wake();
  }

  crash(): void {
    this.state = 'crashed';
    this.waiting = [];
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  /** Resolves at once while up, after `resume()` while paused, never once crashed. */
  gate(): Promise<void> {
    if (this.state === 'up') return Promise.resolve();
    if (this.state === 'crashed') return new Promise(() => undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** Methods that answer synchronously (they touch nothing outside the process) and so pass straight through. */
const SYNC_METHODS = new Set([
  'uriFor',
  'storageScope',
  'sharesDatabase',
  'insertWithinTransaction',
  'announceArrival',
]);
/** Synchronous factories of another port-like object (`PaperStore.outboxFor`): the object they make is gated too. */
const SYNC_FACTORIES = new Set(['outboxFor']);

/** The port, with every asynchronous call held at the switch before it starts and before its answer returns. */
export function gated<T extends object>(target: T, control: ProcessSwitch): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (SYNC_METHODS.has(String(property))) return (value as (...a: unknown[]) => unknown).bind(object);
      if (SYNC_FACTORIES.has(String(property))) {
        return (...args: unknown[]) => {
          const made = (value as (...a: unknown[]) => unknown).apply(object, args);
          return made && typeof made === 'object' ? gated(made, control) : made;
        };
      }
      return async (...args: unknown[]) => {
        await control.gate();
        const result = await (value as (...a: unknown[]) => unknown).apply(object, args);
        await control.gate();
        return result;
      };
    },
  });
}
