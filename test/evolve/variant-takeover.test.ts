import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { driveSearch } from '../../src/evolve/drive-search.js';
import { runVariantStage } from '../../src/evolve/run-variant.js';
import { machineKey } from '../../src/ingest/lease-holder.js';
import { InstancePool } from '../../src/runs/instance-pool.js';
import { INSTANCE_LEASE_PREFIX } from '../../src/runs/instance-keys.js';
import { ProcessSwitch } from '../support/process-switch.js';
import { dyingBot, searchRig, type SearchRig } from './search-rig.js';

/**
 * A variant whose bot died mid-run is followed by the next bot on the same machine at once, not after its
 * instance lease lapses (issue 13, item 7): the dead bot's lease names its process (host, pid, boot and PID
 * namespace), and a pid that is gone on this very machine is proof that nobody follows the run any more.
 * Anything less certain (a live pid, another machine) still waits for the lease to lapse.
 */

const summary = () => ({ val_loss: 1.8 });
let rig: SearchRig | undefined;
afterEach(() => rig?.close());

/** A pid that existed a moment ago on this machine and is gone now: a process that was started and exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  if (!child.pid) throw new Error('could not start a short-lived process');
  return child.pid;
}

const processHolders = {
  deadHere: () => `${hostname()}:${deadPid()}:${machineKey() ?? '-'}:${randomUUID()}`,
  aliveHere: () => `${hostname()}:${process.pid}:${machineKey() ?? '-'}:${randomUUID()}`,
  deadElsewhere: () => `${hostname()}:${deadPid()}:0123456789abcdef:${randomUUID()}`,
};

/**
 * A bot drives the search until generation 1's full runs are out, with `holder` as its process in the leases;
 * then it dies. Returns a full run it was following (sent, no outcome) and the leases it left.
 */
async function botDiesMidRun(r: SearchRig, holder: () => string) {
  const search = await r.seed();
  const process = new ProcessSwitch();
  void driveSearch(dyingBot(r, process, { processHolder: holder }), search.id);
  const sentRuns = () => r.compute.sent.filter((command) => command.runId.endsWith('.run'));
  for (let i = 0; i < 4000 && sentRuns().length === 0; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 5));
  process.crash();
  const after = r.deps();
  const current = await after.searches.get(search.id);
  const followed = current?.variants.find((v) => v.run?.commandId && !v.run.outcome);
  expect(followed).toBeDefined();
  const leases = await after.coordination.list<{ holder: string }>(INSTANCE_LEASE_PREFIX);
  expect(leases.length).toBeGreaterThan(0);
  return { search, variantId: followed!.id, runId: followed!.run!.runId, after };
}

describe.skipIf(!machineKey())('a variant whose bot died', () => {
  it('is followed at once by a new bot on the same machine, and not sent again', async () => {
    rig = searchRig({ summary });
    const { search, variantId, runId, after } = await botDiesMidRun(rig, processHolders.deadHere);
    const sentBefore = rig.compute.sent.length;
    const started = rig.clock.now().getTime();

    // Without the take-over this is 'busy' until the dead bot's 3-minute lease lapses.
    expect(await runVariantStage(after, search.id, variantId, 'run')).toBe('finished');
    expect(rig.compute.sent.slice(sentBefore).map((c) => c.runId)).not.toContain(runId);
    const variant = (await after.searches.get(search.id))?.variants.find((v) => v.id === variantId);
    expect(variant?.run?.outcome).toBe('succeeded');
    // It followed the run to its end (at most its 5-minute budget), with no lease to wait out first.
    expect(rig.clock.now().getTime() - started).toBeLessThanOrEqual(5 * 60_000);

    // The rest of the search resumes too, with no run id sent twice.
    const done = await driveSearch(rig.deps(), search.id);
    expect(done?.state).toBe('finished');
    const ids = rig.compute.sent.map((c) => c.runId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('waits for the lease to lapse when its process may be alive, or ran on another machine', async () => {
    for (const holder of [processHolders.aliveHere, processHolders.deadElsewhere]) {
      rig?.close();
      rig = searchRig({ summary });
      const { search, variantId, after } = await botDiesMidRun(rig, holder);
      expect(await runVariantStage(after, search.id, variantId, 'run')).toBe('busy');
      // Once the lease lapses, the next bot follows it as before.
      rig.clock.advance(181_000);
      expect(await runVariantStage(after, search.id, variantId, 'run')).toBe('finished');
    }
  });

  it('is taken over by exactly one of two bots racing for it', async () => {
    rig = searchRig({ summary });
    const { runId, after } = await botDiesMidRun(rig, processHolders.deadHere);
    const pools = [0, 1].map(
      () =>
        new InstancePool({ compute: rig!.compute, coordination: after.coordination, logger: after.logger }),
    );
    const taken = await Promise.all(pools.map((pool) => pool.takeOverFromDead(runId)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await pools[0]?.isRunHeld(runId)).toBe(true);
  });
});
