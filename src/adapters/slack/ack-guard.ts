import type { Logger } from '../../logging/logger.js';

/** The slice of socket-mode's `SocketModeClient` the guard needs. */
export interface AckingClient {
  on(event: 'slack_event', listener: (args: SlackEventArgs) => void): unknown;
  on(event: 'outgoing_message', listener: (message: { envelope_id?: string }) => void): unknown;
  off(event: 'slack_event', listener: (args: SlackEventArgs) => void): unknown;
  off(event: 'outgoing_message', listener: (message: { envelope_id?: string }) => void): unknown;
}

export interface SlackEventArgs {
  envelope_id: string;
  type: string;
  body: unknown;
  ack: (response?: Record<string, unknown>) => Promise<void>;
}

interface PendingEnvelope {
  args: SlackEventArgs;
  timer: NodeJS.Timeout;
  acking: boolean;
}

export const ACK_GUARD_DEADLINE_MS = 2_000;

/**
 * Slack gives an app 3 seconds to acknowledge an envelope (slack.md §4), and Bolt's Socket Mode receiver has no
 * timer of its own (§1.4). The guard watches every envelope and every ack frame; an envelope still unacknowledged
 * at the deadline (a listener that forgot, a payload Bolt could not route, a forged body) is acked by the guard,
 * and `ackNow` acks at once when a listener throws. Handlers still ack first thing; this is the safety net.
 */
export class AckGuard {
  private readonly pending = new Map<string, PendingEnvelope>();
  private readonly byBody = new WeakMap<object, string>();
  /** Acks seen before their envelope was registered (listener order); removed when the envelope arrives. */
  private readonly ackedEarly = new Set<string>();
  /** `whenIdle` callers, resolved when the last pending envelope is acked. */
  private idleWaiters: Array<() => void> = [];
  private readonly deadlineMs: number;

  private readonly onEvent = (args: SlackEventArgs) => {
    if (this.ackedEarly.delete(args.envelope_id)) return;
    const timer = setTimeout(() => void this.ackPending(args.envelope_id, 'late'), this.deadlineMs);
    timer.unref();
    this.pending.set(args.envelope_id, { args, timer, acking: false });
    if (typeof args.body === 'object' && args.body !== null) this.byBody.set(args.body, args.envelope_id);
  };

  private readonly onOutgoing = (message: { envelope_id?: string }) => {
    const id = message.envelope_id;
    if (!id) return;
    const entry = this.pending.get(id);
    if (!entry) {
      this.ackedEarly.add(id);
      return;
    }
    clearTimeout(entry.timer);
    this.pending.delete(id);
    this.wakeIfIdle();
  };

  /**
   * `answer`: what a slash command's user reads when the guard acks for a listener that was late or failed
   * (the message builders' `ackGuardAnswer`, handed in by the composition root).
   */
  constructor(
    private readonly client: AckingClient,
    private readonly logger: Logger,
    deadlineMs: number | undefined,
    private readonly answer: (why: 'late' | 'failed') => string,
  ) {
    this.deadlineMs = deadlineMs ?? ACK_GUARD_DEADLINE_MS;
    client.on('slack_event', this.onEvent);
    client.on('outgoing_message', this.onOutgoing);
  }

  /** Ack the envelope this body came in, if nobody has yet (used when a listener threw). */
  async ackNow(body: unknown): Promise<void> {
    if (typeof body !== 'object' || body === null) return;
    const id = this.byBody.get(body);
    if (id) await this.ackPending(id, 'failed');
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Resolves when no envelope waits for its ack, or after `maxWaitMs`, whichever comes first: follow-up work
   * (the after-ack queue) waits on it so that acks go out before answers in a burst.
   */
  whenIdle(maxWaitMs: number): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== done);
        resolve();
      }, maxWaitMs);
      timer.unref();
      this.idleWaiters.push(done);
    });
  }

  private wakeIfIdle(): void {
    if (this.pending.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  stop(): void {
    this.client.off('slack_event', this.onEvent);
    this.client.off('outgoing_message', this.onOutgoing);
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
    this.wakeIfIdle();
  }

  private async ackPending(envelopeId: string, why: 'late' | 'failed'): Promise<void> {
    const entry = this.pending.get(envelopeId);
    if (!entry || entry.acking) return;
    // Stays pending until the ack frame goes out, so `onOutgoing` recognises the guard's own ack.
    entry.acking = true;
    clearTimeout(entry.timer);
    const { type } = entry.args;
    this.logger.warn({ envelopeId, type, why }, 'acknowledging an envelope no listener acknowledged');
    // Only slash commands show an ack's text to the user (accepts_response_payload, slack.md §1.3).
    const response = type === 'slash_commands' ? { response_type: 'ephemeral', text: this.answer(why) } : {};
    try {
      await entry.args.ack(response);
    } catch (error) {
      this.logger.error({ err: error, envelopeId }, 'could not acknowledge envelope (socket not ready)');
    } finally {
      this.pending.delete(envelopeId);
      this.wakeIfIdle();
    }
  }
}
