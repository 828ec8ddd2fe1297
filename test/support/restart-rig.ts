import { afterEach, beforeEach } from 'vitest';
import { tempDataDir } from '../embedded/temp-data-dir.js';
import { embeddedCoreDeps, ManualClock, type EmbeddedCoreDeps } from './embedded-core-deps.js';
import { startSlackFake, type SlackFake } from './slack-fake/index.js';

/**
 * One SQLite file, one Slack fake and one clock that outlive the services opened on them: a crash test abandons
 * a service mid-way (its calls never return) and starts a fresh one on the same file, as a restarted bot would.
 * Registers its own `beforeEach`/`afterEach`; read `slack` and `clock` inside tests, not at module level.
 */
export interface RestartRig {
  readonly slack: SlackFake;
  readonly clock: ManualClock;
  /** A new service on the shared file (with extra env, such as a quota); closed after the test. */
  start(env?: Record<string, string>): EmbeddedCoreDeps;
}

export function useRestartRig(): RestartRig {
  const services: EmbeddedCoreDeps[] = [];
  let slack: SlackFake;
  let dataDir: ReturnType<typeof tempDataDir>;
  let clock: ManualClock;
  beforeEach(async () => {
    slack = await startSlackFake();
    dataDir = tempDataDir();
    clock = new ManualClock();
  });
  afterEach(async () => {
    for (const service of services.splice(0)) service.close();
    await slack.close();
    dataDir.remove();
  });
  return {
    get slack() {
      return slack;
    },
    get clock() {
      return clock;
    },
    start(env) {
      const service = embeddedCoreDeps(slack, { ...(env ? { env } : {}), dataDir: dataDir.path, clock });
      services.push(service);
      return service;
    },
  };
}
