import type { Logger } from '../../logging/logger.js';

/** The slice of socket-mode's `SocketModeClient` the watchdog needs. */
export interface WatchedClient {
  on(event: 'connected' | 'close' | 'disconnected', listener: () => void): unknown;
  off(event: 'connected' | 'close' | 'disconnected', listener: () => void): unknown;
  start(): Promise<unknown>;
  disconnect(): Promise<void>;
}

export interface ConnectionWatchdogOptions {
  client: WatchedClient;
  logger: Logger;
  /** Restart the socket once it has been down this long (`SLACK_WATCHDOG_SECONDS`). */
  downLimitMs: number;
  /** After this many restarts in a row that did not bring the socket back, call `onGiveUp`. */
  maxRestarts?: number;
  /** What to do when restarts do not help; main exits so a supervisor starts a fresh process. */
  onGiveUp?: (downForMs: number) => void;
  now?: () => number;
}

/**
 * socket-mode reconnects on its own after a `disconnect` message or a missed pong, but some failures leave the
 * socket dead for good: a network error while fetching a new URL is treated as unrecoverable, and the reconnect
 * promise has no `catch` (slack.md §6); an `apps.connections.open` that never answers hangs the reconnect. The
 * watchdog notices the socket has been down longer than `downLimitMs` and restarts it: disconnect, then start.
 *
 * It also stops socket-mode's reconnect path from raising unhandled rejections: `start()` called by the
 * library's own reconnect timer logs its failure instead of throwing into nowhere (the watchdog takes over).
 * Explicit starts (ours) still throw.
 */
export class ConnectionWatchdog {
  private connected = false;
  private downSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private consecutiveRestarts = 0;
  private restarting = false;
  private running = false;
  private explicitStarts = 0;
  private readonly now: () => number;
  private readonly originalStart: () => Promise<unknown>;
  /** How many restarts the watchdog has made, for logs and tests. */
  restarts = 0;

  private readonly onConnected = () => {
    this.connected = true;
    this.downSince = undefined;
    this.consecutiveRestarts = 0;
    this.clearTimer();
  };

  private readonly onDown = () => {
    if (this.restarting || !this.running) return;
    if (this.connected || this.downSince === undefined) {
      this.connected = false;
      this.downSince = this.now();
      this.options.logger.warn('Slack socket is down; waiting for socket-mode to reconnect');
      this.arm();
    }
  };

  constructor(private readonly options: ConnectionWatchdogOptions) {
    this.now = options.now ?? Date.now;
    const client = options.client;
    this.originalStart = client.start.bind(client);
    client.start = () => this.guardedStart();
    client.on('connected', this.onConnected);
    client.on('close', this.onDown);
    client.on('disconnected', this.onDown);
  }

  /** Start the socket (the first connection). Throws if it cannot connect, unlike library-initiated restarts. */
  async startExplicitly<T>(start: () => Promise<T>): Promise<T> {
    this.explicitStarts += 1;
    try {
      return await start();
    } finally {
      this.explicitStarts -= 1;
    }
  }

  /** Begin watching; call once the app is connected. */
  watch(): void {
    this.running = true;
  }

  stop(): void {
    this.running = false;
    this.clearTimer();
    const { client } = this.options;
    client.off('connected', this.onConnected);
    client.off('close', this.onDown);
    client.off('disconnected', this.onDown);
  }

  isConnected(): boolean {
    return this.connected;
  }

  private async guardedStart(): Promise<unknown> {
    if (this.explicitStarts > 0) return this.originalStart();
    try {
      return await this.originalStart();
    } catch (error) {
      this.options.logger.error(
        { err: error },
        'socket-mode could not reconnect; the watchdog will restart it',
      );
      return undefined;
    }
  }

  private arm(): void {
    this.clearTimer();
    this.timer = setTimeout(() => void this.restart(), this.options.downLimitMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async restart(): Promise<void> {
    if (!this.running || this.connected) return;
    const downForMs = this.now() - (this.downSince ?? this.now());
    const maxRestarts = this.options.maxRestarts ?? Number.POSITIVE_INFINITY;
    if (this.consecutiveRestarts >= maxRestarts) {
      this.options.logger.error(
        { downForMs, restarts: this.consecutiveRestarts },
        'Slack socket restarts are not helping',
      );
      this.options.onGiveUp?.(downForMs);
      return;
    }
    this.consecutiveRestarts += 1;
    this.restarts += 1;
    this.options.logger.warn(
      { downForMs, attempt: this.consecutiveRestarts },
      'Slack socket down too long; restarting it',
    );
    this.restarting = true;
    try {
      await this.options.client.disconnect();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'disconnect before restart failed');
    } finally {
      this.restarting = false;
    }
    // Not awaited: a start that hangs (an apps.connections.open that never answers) must not stall the watchdog.
    this.originalStart().catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'restarting the Slack socket failed');
    });
    if (this.running && !this.connected) this.arm();
  }
}
