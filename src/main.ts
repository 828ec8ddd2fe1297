/**
 * `npm start`: load `.env`, boot Sherpa, and shut down cleanly on SIGINT/SIGTERM. The only place besides the CLI
 * that writes to the console: before configuration is valid there is no logger to write to.
 */
import { existsSync } from 'node:fs';
import type { RunningSherpa } from './boot.js';
import { loadConfig } from './config/load-config.js';
import { SherpaError } from './errors.js';
import { quietAwsSdkNodeWarning } from './node-support.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

/** `.env` (or SHERPA_ENV_FILE) fills in variables the environment does not already set. Node ≥ 20.12. */
function loadEnvFile(): void {
  const path = process.env.SHERPA_ENV_FILE ?? '.env';
  if (existsSync(path)) process.loadEnvFile(path);
}

/** A socket-mode reconnect failure surfaces as a stray rejection (slack.md §6); the watchdog owns recovery. */
function isSlackSocketError(reason: unknown): boolean {
  const code = (reason as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('slack_');
}

async function main(): Promise<void> {
  loadEnvFile();
  // Before any AWS SDK client exists: the SDK checks the Node version when a client is built.
  const nodeNotice = quietAwsSdkNodeWarning();
  let sherpa: RunningSherpa | undefined;
  let exiting = false;

  const shutdown = async (code: number, why: string) => {
    if (exiting) return;
    exiting = true;
    sherpa?.logger.info({ why }, 'shutting down');
    const forced = setTimeout(() => {
      sherpa?.logger.error('shutdown took too long; exiting anyway');
      process.exit(code || 1);
    }, SHUTDOWN_TIMEOUT_MS);
    forced.unref();
    try {
      await sherpa?.stop();
    } finally {
      process.exit(code);
    }
  };

  process.once('SIGINT', () => void shutdown(0, 'SIGINT'));
  process.once('SIGTERM', () => void shutdown(0, 'SIGTERM'));
  process.on('unhandledRejection', (reason) => {
    if (isSlackSocketError(reason)) {
      sherpa?.logger.error(
        { err: reason },
        'Slack socket error outside a listener; the watchdog will recover',
      );
      return;
    }
    sherpa?.logger.fatal({ err: reason }, 'unhandled rejection');
    if (!sherpa) console.error(reason);
    void shutdown(1, 'unhandled rejection');
  });

  try {
    // Validate first: a configuration mistake is answered before the AWS SDKs and Bolt are even loaded.
    loadConfig(process.env);
    const { bootSherpa } = await import('./boot.js');
    sherpa = await bootSherpa({
      env: process.env,
      onFatal: (reason) => void shutdown(1, reason),
    });
    if (nodeNotice) sherpa.logger.warn({ node: process.version }, nodeNotice);
  } catch (error) {
    // Configuration and token problems are the user's to fix: the message says how, a stack trace would not help.
    if (error instanceof SherpaError) {
      console.error(error.message);
    } else {
      console.error('Sherpa could not start:', error);
    }
    process.exit(1);
  }
}

void main();
