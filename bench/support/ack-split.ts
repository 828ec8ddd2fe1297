/**
 * Where an ack's time goes (issue 14, item 3). The Slack fake times each probe from its send to the ack's
 * arrival, in another process; the bot's Socket Mode client says when it read each envelope (`slack_event`, right
 * after the frame is parsed) and when it sent the ack (`outgoing_message`). On the one wall clock both processes
 * share, each ack splits in three: on its way to the bot (the fake's write, the kernel, the bot's event loop
 * getting to the socket), in the bot (Bolt, the listener, the ack), and on its way back (the write, the kernel,
 * the fake's event loop getting to the frame). The bot thread's garbage-collection pauses are kept beside them:
 * a scavenge stops the event loop wherever it is.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { ProbeEnvelope } from './slack-fake-process.js';

/** The two events of socket-mode's `SocketModeClient` the split reads. */
export interface SocketModeEvents {
  on(event: 'slack_event', listener: (args: { envelope_id: string }) => void): unknown;
  on(event: 'outgoing_message', listener: (message: { envelope_id?: string }) => void): unknown;
  off(event: 'slack_event', listener: (args: { envelope_id: string }) => void): unknown;
  off(event: 'outgoing_message', listener: (message: { envelope_id?: string }) => void): unknown;
}

/** One probe's ack in three parts, ms. */
export interface AckParts {
  toBot: number;
  inBot: number;
  back: number;
}

const now = () => performance.timeOrigin + performance.now();

export class AckSplit {
  private readonly seen = new Map<string, { readAt: number; ackSentAt?: number }>();

  private readonly onEvent = (args: { envelope_id: string }) => {
    this.seen.set(args.envelope_id, { readAt: now() });
  };

  private readonly onOutgoing = (message: { envelope_id?: string }) => {
    const entry = message.envelope_id ? this.seen.get(message.envelope_id) : undefined;
    if (entry) entry.ackSentAt = now();
  };

  constructor(private readonly client: SocketModeEvents) {
    client.on('slack_event', this.onEvent);
    client.on('outgoing_message', this.onOutgoing);
  }

  /** The parts of each probe the bot saw and acked; what the bot recorded for other envelopes is dropped. */
  split(envelopes: readonly ProbeEnvelope[]): AckParts[] {
    const parts: AckParts[] = [];
    for (const { envelopeId, sentAt, ackedAt } of envelopes) {
      const seen = this.seen.get(envelopeId);
      if (seen?.ackSentAt === undefined) continue;
      parts.push({
        toBot: seen.readAt - sentAt,
        inBot: seen.ackSentAt - seen.readAt,
        back: ackedAt - seen.ackSentAt,
      });
    }
    this.seen.clear();
    return parts;
  }

  stop(): void {
    this.client.off('slack_event', this.onEvent);
    this.client.off('outgoing_message', this.onOutgoing);
  }
}

/** Garbage-collection pauses on this thread while `work` runs, ms. */
export async function gcPausesDuring<T>(work: () => Promise<T>): Promise<{ result: T; pauses: number[] }> {
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    return { result: await work(), pauses };
  } finally {
    // Entries are delivered after the turn that recorded them: take the ones still queued.
    for (const entry of observer.takeRecords()) pauses.push(entry.duration);
    observer.disconnect();
  }
}
