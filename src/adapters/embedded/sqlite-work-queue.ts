import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { StaleReceiptError } from '../../errors.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import { realSleep, type Sleep } from '../../ports/sleep.js';
import type {
  DeadLetter,
  QueueDepth,
  QueueName,
  ReceivedMessage,
  SendOptions,
  WorkQueue,
} from '../../ports/work-queue.js';
import { runSql, runSqlAsync, type SherpaDatabase } from './sqlite-database.js';
import { prepareQueueStatements, type QueueRow, type QueueStatements } from './sqlite-queue-statements.js';

export interface SqliteWorkQueueOptions<T> {
  name: QueueName;
  /** Bodies are parsed with this on send and on every delivery: a queue is a boundary. */
  schema: z.ZodType<T>;
  /** Deliveries without an ack before a message is dead-lettered (SQS `maxReceiveCount`). */
  maxAttempts?: number;
  /** Visibility deadlines use this clock, so tests can advance time instead of waiting. */
  clock?: Clock;
  /**
   * How soon a long poll looks again when no send in this process woke it (ms); each empty look doubles the
   * pause up to `maxPollIntervalMs` (default 8 × this), and finding work makes it short again.
   */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** How a long poll waits; a virtual clock's sleep in tests. */
  sleep?: Sleep;
}

/**
 * WorkQueue on SQLite: at-least-once delivery, visibility timeouts, attempt counts, dead letters after
 * `maxAttempts`, dedupe ids unique per queue for ever, and FIFO order within a message group.
 * Every delivery issues a fresh receipt, so a consumer whose visibility ran out cannot ack or extend the
 * message another consumer now holds.
 */
export class SqliteWorkQueue<T> implements WorkQueue<T> {
  readonly name: QueueName;
  private readonly schema: z.ZodType<T>;
  private readonly maxAttempts: number;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  /** The next pause of an idle long poll: kept across receives, so an idle consumer settles at the cap. */
  private idlePollMs: number;
  private readonly sleep: Sleep;
  private readonly sql: QueueStatements;
  private readonly arrivals = new EventEmitter();

  constructor(
    private readonly database: SherpaDatabase,
    options: SqliteWorkQueueOptions<T>,
  ) {
    this.name = options.name;
    this.schema = options.schema;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.maxPollIntervalMs = Math.max(
      this.pollIntervalMs,
      options.maxPollIntervalMs ?? 8 * this.pollIntervalMs,
    );
    this.idlePollMs = this.pollIntervalMs;
    this.sleep = options.sleep ?? realSleep;
    this.sql = prepareQueueStatements(database.connection);
    this.arrivals.setMaxListeners(0);
  }

  async send(body: T, options: SendOptions): Promise<{ messageId: string; duplicate: boolean }> {
    const parsed = this.schema.parse(body);
    const now = this.nowMs();
    const sent = await runSqlAsync(this.database, () => this.insertOne(parsed, options, now));
    if (!sent.duplicate) this.arrivals.emit('sent');
    return sent;
  }

  /** Many messages in one transaction: one commit for a scrape's page instead of one per paper. */
  async sendMany(
    messages: readonly { body: T; options: SendOptions }[],
  ): Promise<{ messageId: string; duplicate: boolean }[]> {
    const parsed = messages.map((message) => ({
      body: this.schema.parse(message.body),
      options: message.options,
    }));
    const now = this.nowMs();
    const insertAll = this.database.connection.transaction(() =>
      parsed.map((message) => this.insertOne(message.body, message.options, now)),
    );
    const sent = await runSqlAsync(this.database, () => insertAll.immediate());
    if (sent.some((result) => !result.duplicate)) this.arrivals.emit('sent');
    return sent;
  }

  /** True when this queue's table is in `database`, so another store's transaction can write to it. */
  sharesDatabase(database: SherpaDatabase): boolean {
    return this.database.connection === database.connection;
  }

  /**
   * Insert a message inside a transaction someone else opened on the same database (the paper store's outbox):
   * it commits or rolls back with that transaction. Call `announceArrival` after the commit.
   */
  insertWithinTransaction(body: T, options: SendOptions): { messageId: string; duplicate: boolean } {
    if (!this.database.connection.inTransaction) {
      throw new Error(`insertWithinTransaction on the ${this.name} queue needs an open transaction`);
    }
    return this.insertOne(this.schema.parse(body), options, this.nowMs());
  }

  /** Wake this process's long polls after a message was committed by `insertWithinTransaction`. */
  announceArrival(): void {
    this.arrivals.emit('sent');
  }

  private insertOne(body: T, options: SendOptions, now: number): { messageId: string; duplicate: boolean } {
    const id = randomUUID();
    const inserted = this.sql.insert.run({
      queue: this.name,
      id,
      dedupe_id: options.dedupeId,
      group_id: options.groupId,
      body: JSON.stringify(body),
      visible_at: now + Math.round((options.delaySeconds ?? 0) * 1000),
      created_at: now,
    });
    if (inserted.changes === 1) return { messageId: id, duplicate: false };
    const existing = this.sql.byDedupe.get(this.name, options.dedupeId);
    return { messageId: existing?.id ?? id, duplicate: true };
  }

  async receive(options: {
    max: number;
    visibilitySeconds: number;
    waitSeconds?: number;
    signal?: AbortSignal;
  }): Promise<ReceivedMessage<T>[]> {
    let waitedMs = 0;
    const waitMs = (options.waitSeconds ?? 0) * 1000;
    for (;;) {
      const messages = await runSqlAsync(this.database, () =>
        this.take(options.max, options.visibilitySeconds),
      );
      if (messages.length > 0) this.idlePollMs = this.pollIntervalMs;
      if (messages.length > 0 || waitedMs >= waitMs || options.signal?.aborted) return messages;
      // Polling with backoff (issue 11, item 3): a send in this process wakes the poll at once; the pause only
      // bounds how late a message from elsewhere (another process, a delay running out) is seen.
      const step = Math.min(this.idlePollMs, waitMs - waitedMs);
      const woken = await this.nextArrival(step, options.signal);
      this.idlePollMs = woken ? this.pollIntervalMs : Math.min(this.maxPollIntervalMs, this.idlePollMs * 2);
      waitedMs += step;
    }
  }

  async extend(message: ReceivedMessage<T>, visibilitySeconds: number): Promise<ReceivedMessage<T>> {
    const changed = await runSqlAsync(this.database, () =>
      this.sql.extend.run({
        id: message.id,
        receipt: message.receipt,
        visible_at: this.nowMs() + Math.round(visibilitySeconds * 1000),
      }),
    );
    if (changed.changes !== 1) {
      throw new StaleReceiptError(
        `The ${this.name} message ${message.id} is no longer held by this receipt`,
        {
          context: { queue: this.name, messageId: message.id, attempt: message.attempt },
        },
      );
    }
    return message;
  }

  async ack(message: ReceivedMessage<T>): Promise<void> {
    await runSqlAsync(this.database, () => this.sql.ack.run({ id: message.id, receipt: message.receipt }));
  }

  async release(message: ReceivedMessage<T>, delaySeconds: number, error?: string): Promise<void> {
    await runSqlAsync(this.database, () =>
      this.sql.release.run({
        id: message.id,
        receipt: message.receipt,
        visible_at: this.nowMs() + Math.round(delaySeconds * 1000),
        last_error: error ?? null,
      }),
    );
    if (delaySeconds <= 0) this.arrivals.emit('sent');
  }

  async depth(): Promise<QueueDepth> {
    const row = runSql(this.database, () => this.sql.depth.get({ queue: this.name, now: this.nowMs() }));
    return { visible: row?.visible ?? 0, inFlight: row?.in_flight ?? 0, deadLettered: row?.dead ?? 0 };
  }

  async position(dedupeId: string): Promise<number | undefined> {
    return runSql(this.database, () => {
      const now = this.nowMs();
      const row = this.sql.byDedupe.get(this.name, dedupeId);
      const waiting = row?.status === 'ready' && (row.receipt === null || row.visible_at <= now);
      if (!row || !waiting) return undefined;
      return this.sql.waitingAhead.get({ queue: this.name, now, seq: row.seq })?.n;
    });
  }

  async deadLetters(limit = 100): Promise<DeadLetter<T>[]> {
    const rows = runSql(this.database, () => this.sql.deadLetters.all(this.name, limit));
    return rows.flatMap((row) => {
      const body = this.parseBody(row);
      if (!body.success) return [];
      const letter: DeadLetter<T> = { id: row.id, body: body.data, attempts: row.attempts };
      if (row.last_error !== null) letter.lastError = row.last_error;
      return [letter];
    });
  }

  async redrive(): Promise<number> {
    const moved = runSql(this.database, () => this.sql.redrive.run({ queue: this.name, now: this.nowMs() }));
    if (moved.changes > 0) this.arrivals.emit('sent');
    return moved.changes;
  }

  /**
   * One receive, atomically: dead-letter exhausted or unreadable heads (which may uncover the next message of
   * their group), then hand out fresh receipts.
   */
  private take(max: number, visibilitySeconds: number): ReceivedMessage<T>[] {
    const connection = this.database.connection;
    return connection
      .transaction(() => {
        const now = this.nowMs();
        for (;;) {
          const rows = this.sql.deliverable.all({ queue: this.name, now, limit: max });
          const delivered: ReceivedMessage<T>[] = [];
          let killed = 0;
          for (const row of rows) {
            const body = this.parseBody(row);
            if (row.attempts >= this.maxAttempts || !body.success) {
              const why = body.success ? null : `body did not match the ${this.name} job schema`;
              this.sql.kill.run({ seq: row.seq, last_error: why });
              killed += 1;
              continue;
            }
            const receipt = `${row.id}.${row.attempts + 1}.${randomUUID()}`;
            this.sql.deliver.run({
              seq: row.seq,
              receipt,
              visible_at: now + Math.round(visibilitySeconds * 1000),
            });
            delivered.push({
              id: row.id,
              body: body.data,
              receipt,
              attempt: row.attempts + 1,
              dedupeId: row.dedupe_id,
            });
          }
          // Only when every head was dead-lettered is it worth looking again for the messages they uncovered.
          if (killed === 0 || delivered.length > 0) return delivered;
        }
      })
      .immediate();
  }

  private parseBody(row: QueueRow) {
    try {
      return this.schema.safeParse(JSON.parse(row.body));
    } catch {
      return this.schema.safeParse(undefined);
    }
  }

  /**
   * Resolves after `ms`, or sooner when a message is sent in this process or the signal aborts; true when a send
   * woke it.
   */
  private async nextArrival(ms: number, signal?: AbortSignal): Promise<boolean> {
    const wake = new AbortController();
    let arrived = false;
    const onArrival = () => {
      arrived = true;
      wake.abort();
    };
    const onAbort = () => wake.abort();
    this.arrivals.once('sent', onArrival);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.sleep(ms, wake.signal);
    } finally {
      this.arrivals.off('sent', onArrival);
      signal?.removeEventListener('abort', onAbort);
    }
    return arrived;
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}
