import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logging/logger.js';

/**
 * Bolt and socket-mode log free text, and at debug level that text includes whole payloads (with the
 * `token` verification field) and request headers. Values of token-like JSON fields are masked here; Slack
 * and AWS token shapes are scrubbed again by the pino logger itself.
 */
const TOKEN_FIELD =
  /("(?:token|access_token|bot_token|app_token|client_secret|authorization)"\s*:\s*")[^"]*(")/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._-]+/gi;
/** The one-time ticket in the Socket Mode URL is a credential until it is used. */
const TICKET = /([?&]ticket=)[^&\s"]+/gi;

export function maskTokenFields(text: string): string {
  return text
    .replace(TOKEN_FIELD, '$1[redacted]$2')
    .replace(BEARER, '$1[redacted]')
    .replace(TICKET, '$1[redacted]');
}

function render(parts: unknown[]): { text: string; err?: Error } {
  const err = parts.find((p): p is Error => p instanceof Error);
  const text = parts
    .filter((p) => p !== err)
    .map((p) => (typeof p === 'string' ? p : safeJson(p)))
    .join(' ');
  return { text: maskTokenFields(text), err };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const TO_BOLT: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/** Bolt's `Logger` interface on top of a pino child logger, so Slack's own lines share our format and redaction. */
export function createBoltLogger(logger: Logger): BoltLogger {
  let child = logger.child({ component: 'slack' });
  const emit = (level: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]) => {
    if (!child.isLevelEnabled(level)) return;
    const { text, err } = render(parts);
    if (err) child[level]({ err }, text);
    else child[level](text);
  };
  return {
    debug: (...parts: unknown[]) => emit('debug', parts),
    info: (...parts: unknown[]) => emit('info', parts),
    warn: (...parts: unknown[]) => emit('warn', parts),
    error: (...parts: unknown[]) => emit('error', parts),
    // The level is Sherpa's LOG_LEVEL; Bolt asking to change it is ignored on purpose.
    setLevel: () => undefined,
    getLevel: () => TO_BOLT[child.level] ?? LogLevel.INFO,
    setName: (name: string) => {
      child = logger.child({ component: 'slack', name });
    },
  };
}
