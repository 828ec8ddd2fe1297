import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AckSplit, gcPausesDuring } from '../../bench/support/ack-split.js';

const clock = () => performance.timeOrigin + performance.now();

describe('AckSplit (bench/support/ack-split.ts)', () => {
  it('splits each acked probe into the way to the bot, the time in it and the way back, on one clock', async () => {
    const client = new EventEmitter();
    const split = new AckSplit(client);
    const sentAt = clock() - 5; // the fake sent it 5 ms ago
    client.emit('slack_event', { envelope_id: 'e1' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.emit('outgoing_message', { envelope_id: 'e1' });
    const ackedAt = clock() + 3; // and reads the ack 3 ms from now
    // e2 reached the bot but was never acked, e3 never reached it: neither has three parts to report.
    client.emit('slack_event', { envelope_id: 'e2' });
    const [parts, ...others] = split.split([
      { envelopeId: 'e1', sentAt, ackedAt },
      { envelopeId: 'e2', sentAt, ackedAt },
      { envelopeId: 'e3', sentAt, ackedAt },
    ]);
    expect(others).toEqual([]);
    // Lower bounds only: a loaded CI machine may stall between any two lines, never run them backwards.
    expect(parts?.toBot).toBeGreaterThanOrEqual(5);
    expect(parts?.inBot).toBeGreaterThanOrEqual(15);
    expect(parts?.back).toBeGreaterThanOrEqual(3);
    expect(parts!.toBot + parts!.inBot + parts!.back).toBeCloseTo(ackedAt - sentAt, 6);
    // What the bot recorded is dropped with each split: a phase reports its own probes only.
    expect(split.split([{ envelopeId: 'e1', sentAt, ackedAt }])).toEqual([]);
  });

  it('stops listening when stopped', () => {
    const client = new EventEmitter();
    const split = new AckSplit(client);
    split.stop();
    expect(client.listenerCount('slack_event') + client.listenerCount('outgoing_message')).toBe(0);
  });

  it('reports the garbage-collection pauses of the work it wraps', async () => {
    const { result, pauses } = await gcPausesDuring(async () => {
      // Enough short-lived garbage for a few scavenges of the default young generation.
      let kept = 0;
      for (let i = 0; i < 2_000_000; i += 1) kept += { i, text: `paper ${i}` }.text.length;
      await new Promise((resolve) => setImmediate(resolve));
      return kept;
    });
    expect(result).toBeGreaterThan(0);
    expect(pauses.length).toBeGreaterThan(0);
    for (const pause of pauses) expect(pause).toBeGreaterThanOrEqual(0);
  });
});
