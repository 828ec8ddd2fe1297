import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  holderIsDeadHere,
  machineKey,
  newLeaseHolder,
  parseLeaseHolder,
} from '../../src/ingest/lease-holder.js';

/** The pid of a process that has run and exited: nothing has it now (until the kernel reuses it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const here = machineKey();

describe('scrape lease holders', () => {
  it('record host, pid and machine, and parse back', () => {
    const holder = newLeaseHolder();
    expect(parseLeaseHolder(holder)).toEqual({ host: hostname(), pid: process.pid, machine: here });
    // The format before host-and-pid takeover: never taken over early.
    expect(parseLeaseHolder('bot-1:4242:6f1c9a52-0000-4000-8000-000000000000')).toEqual({
      host: 'bot-1',
      pid: 4242,
      machine: undefined,
    });
    expect(parseLeaseHolder('garbage')).toBeUndefined();
  });

  it.skipIf(!here)(
    'knows a holder on this machine whose process is gone to be dead (skipped: no /proc)',
    () => {
      const pid = deadPid();
      expect(holderIsDeadHere(`${hostname()}:${pid}:${here}:x`)).toBe(true);
    },
  );

  it.skipIf(!here)('treats every uncertain holder as alive (skipped: no /proc)', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const alive = sleeper.pid as number;
      expect(holderIsDeadHere(`${hostname()}:${alive}:${here}:x`)).toBe(false);
      const pid = deadPid();
      // Another host, another boot or PID namespace, the old format, this very process.
      expect(holderIsDeadHere(`other-host:${pid}:${here}:x`)).toBe(false);
      expect(holderIsDeadHere(`${hostname()}:${pid}:0000000000000000:x`)).toBe(false);
      expect(holderIsDeadHere(`${hostname()}:${pid}:x`)).toBe(false);
      expect(holderIsDeadHere(`${hostname()}:${process.pid}:${here}:x`, () => false)).toBe(false);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});
