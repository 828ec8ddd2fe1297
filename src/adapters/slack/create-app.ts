import { App, SocketModeReceiver, type webApi } from '@slack/bolt';
import type { Config } from '../../config/load-config.js';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import { AckGuard } from './ack-guard.js';
import { createBoltLogger } from './bolt-logger.js';
import { createWebApiFetch, type WebApiFetch } from './web-api-fetch.js';
import { createResponseUrlPoster } from './response-url.js';
import { ConnectionWatchdog } from './connection-watchdog.js';

export interface SlackApp {
  app: App;
  receiver: SocketModeReceiver;
  /** The bot's Web API client (pointed at SLACK_API_URL); the same object handlers get as `client`. */
  client: webApi.WebClient;
  watchdog: ConnectionWatchdog;
  ackGuard: AckGuard;
  /** Posts a command's answer to its response_url (lighter than Bolt's fetch-based `respond`). */
  postToResponseUrl(responseUrl: string, message: object): Promise<void>;
  /** Verify the bot token (auth.test), open the socket, start the watchdog. Token problems throw ConfigError. */
  start(): Promise<void>;
  /** Stop the watchdog and close the socket cleanly (no leaked connections: slack.md §6 too_many_websockets). */
  stop(): Promise<void>;
}

export interface CreateSlackAppOptions {
  /** The watchdog's restarts did not bring the socket back; main exits so a supervisor restarts Sherpa. */
  onWatchdogGiveUp?: (downForMs: number) => void;
  /** Acknowledge unacknowledged envelopes after this long (default 2 s, under Slack's 3 s). */
  ackDeadlineMs?: number;
  /** What a slash command's user reads when the ack guard acks for a late or failed listener. */
  ackAnswer: (why: 'late' | 'failed') => string;
}

/** Web API requests that hang would stall a handler or a reconnect forever. */
const WEB_API_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const WATCHDOG_MAX_RESTARTS = 5;

/**
 * A fresh object for every consumer: App writes its logger into the object it is given. Never add `headers`
 * here: socket-mode spreads clientOptions after its own `Authorization: Bearer xapp-…` header, so a headers
 * object would strip the app token from apps.connections.open (slack.md §1.8 gotcha b).
 */
function webClientOptions(config: Config, transport: WebApiFetch): webApi.WebClientOptions {
  return {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    timeout: WEB_API_TIMEOUT_MS,
    fetch: transport.fetch,
  };
}

const REFUSED_TOKEN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'team_disabled',
  'user_removed_from_team',
]);

/** Turn "Slack refused this token" into the same actionable ConfigError a missing variable gives. */
function explainStartFailure(error: unknown, variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN'): unknown {
  const code = (error as { data?: { error?: unknown } }).data?.error;
  if (typeof code !== 'string' || !REFUSED_TOKEN_ERRORS.has(code)) return error;
  const fix =
    variable === 'SLACK_BOT_TOKEN'
      ? 'copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions after installing the app'
      : 'create an App-Level Token with the connections:write scope under Basic Information and copy it (xapp-…)';
  return new ConfigError([`${variable} was refused by Slack (${code}): ${fix}.`]);
}

/**
 * The Bolt app in Socket Mode with a receiver we build ourselves, because App does not forward ping timeouts
 * or autoReconnect (slack.md §1.7), and because a receiver we build does not get App's clientOptions: the
 * `installerOptions.clientOptions` below is what sends apps.connections.open to SLACK_API_URL (§1.8).
 */
export function createSlackApp(config: Config, logger: Logger, options: CreateSlackAppOptions): SlackApp {
  const boltLogger = createBoltLogger(logger);
  const slackLogger = logger.child({ component: 'slack' });
  const transport = createWebApiFetch();
  const receiver = new SocketModeReceiver({
    appToken: config.slack.appToken,
    logger: boltLogger,
    clientPingTimeout: config.slack.clientPingTimeoutMs,
    serverPingTimeout: config.slack.serverPingTimeoutMs,
    autoReconnectEnabled: true,
    installerOptions: { clientOptions: webClientOptions(config, transport) },
    // A listener threw: log it and make sure Slack still gets its ack (slack.md §4: 3 s or the user sees an error).
    processEventErrorHandler: async ({ error, event }) => {
      const body = event.body as { type?: unknown; command?: unknown };
      slackLogger.error({ err: error, type: body.type ?? body.command }, 'a Slack listener failed');
      // `guard` is created just below; this handler only runs once events flow, long after.
      await guard.ackNow(event.body);
      return false;
    },
  });

  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger: boltLogger,
    clientOptions: webClientOptions(config, transport),
    // auth.test runs in start(), where a refused token can become a clear ConfigError instead of a stray rejection.
    deferInitialization: true,
    // No conversation store: Sherpa keeps no per-conversation state in Bolt, and the default in-memory store
    // costs every envelope a lookup that fails with a new Error (a stack trace) before any listener runs: a
    // measurable share of the ack (issue 14, item 3).
    convoStore: false,
  });
  // Bolt's default handler logs and rethrows; rethrowing alone hands the error to processEventErrorHandler above,
  // which logs it once and acks.
  app.error(async (error) => {
    throw error;
  });

  const guard = new AckGuard(receiver.client, slackLogger, options.ackDeadlineMs, options.ackAnswer);
  const watchdog = new ConnectionWatchdog({
    client: receiver.client,
    logger: slackLogger,
    downLimitMs: config.slack.watchdogSeconds * 1000,
    maxRestarts: WATCHDOG_MAX_RESTARTS,
    onGiveUp: options.onWatchdogGiveUp,
  });

  const responseUrls = createResponseUrlPoster();

  return {
    app,
    receiver,
    client: app.client,
    watchdog,
    ackGuard: guard,
    postToResponseUrl: (responseUrl, message) => responseUrls.post(responseUrl, message),
    async start() {
      try {
        await app.init();
      } catch (error) {
        throw explainStartFailure(error, 'SLACK_BOT_TOKEN');
      }
      try {
        await watchdog.startExplicitly(() => app.start());
      } catch (error) {
        throw explainStartFailure(error, 'SLACK_APP_TOKEN');
      }
      watchdog.watch();
      slackLogger.info('connected to Slack over Socket Mode');
    },
    async stop() {
      watchdog.stop();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      });
      await Promise.race([receiver.client.disconnect(), timeout]);
      clearTimeout(timer);
      guard.stop();
      await responseUrls.close();
      await transport.close();
    },
  };
}
