/**
 * End-to-end harness: boots the REAL Sherpa (the same `bootSherpa` that `npm start` runs: config from an env
 * object, embedded adapters in a fresh temporary DATA_DIR, every handler registered, Socket Mode connected)
 * against a fresh protocol-level Slack fake on 127.0.0.1.
 *
 *   const sherpa = await startSherpa();                   // or startSherpa({ env: { APPROVERS: 'U1,S2' } })
 *   const { envelopeId } = await sherpa.fake.sendSlashCommand('/paper', 'status 2401.00001');
 *   const ack = await sherpa.fake.waitForAck(envelopeId); // ack.payload, ack.latencyMs
 *   const reply = await sherpa.fake.waitForCall('response_url');
 *   await sherpa.deps.papers.ingest(paper);              // seed state through the real ports
 *   sherpa.logs.text();                                   // every JSON log line so far
 *   await sherpa.stop();                                  // closes the socket, the stores, the fake, DATA_DIR
 *
 * Options:
 *   env           variables merged over the defaults below (e.g. SLACK_CLIENT_PING_TIMEOUT_MS: '1000' makes
 *                 socket-mode reconnect 1 s after a disconnect instead of 20 s)
 *   fake          bring your own started SlackFake (then `stop()` leaves it running)
 *   logLevel      what the captured logger records (default 'info'; 'debug' shows Bolt's own lines)
 *   ackDeadlineMs when the ack guard acks envelopes no listener acked (default 2000)
 *   decorateDeps  wrap a port before handlers see it: `(deps) => ({ ...deps, papers: slowStore(deps.papers) })`
 *
 * Default env: the fake's tokens, SLACK_API_URL and channel, APPROVERS=U0APPROVER1, TIMEZONE=UTC,
 * LOG_FORMAT=json, DATA_DIR=<fresh temp dir>. Returns { fake, sherpa, app, deps, config, logs, dataDir, stop }.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { bootSherpa, type RunningSherpa } from '../../src/boot.js';
import type { Config } from '../../src/config/load-config.js';
import type { CoreDeps } from '../../src/deps.js';
import { configuredSecrets } from '../../src/logging/configured-secrets.js';
import { LogCapture } from './log-capture.js';
import { startSlackFake, type SlackFake } from './slack-fake/index.js';

export interface StartSherpaOptions {
  env?: Record<string, string>;
  fake?: SlackFake;
  logLevel?: string;
  ackDeadlineMs?: number;
  decorateDeps?: (deps: CoreDeps) => CoreDeps;
}

export interface SherpaHarness {
  fake: SlackFake;
  sherpa: RunningSherpa;
  app: App;
  deps: CoreDeps;
  config: Config;
  logs: LogCapture;
  dataDir: string;
  /** Why the app asked to exit (watchdog gave up), if it did. */
  fatal: string[];
  stop(): Promise<void>;
}

export const TEST_APPROVER = 'U0APPROVER1';

export async function startSherpa(options: StartSherpaOptions = {}): Promise<SherpaHarness> {
  const fake = options.fake ?? (await startSlackFake());
  const dataDir = mkdtempSync(join(tmpdir(), 'sherpa-test-'));
  const logs = new LogCapture();
  const fatal: string[] = [];
  const env = {
    ...fake.env(),
    APPROVERS: TEST_APPROVER,
    TIMEZONE: 'UTC',
    LOG_FORMAT: 'json',
    DATA_DIR: dataDir,
    // A `/scrape` in a test must never leave the machine: the paper sources default to a closed loopback port.
    OPENREVIEW_API_URL: 'http://127.0.0.1:9',
    ARXIV_API_URL: 'http://127.0.0.1:9/api/query',
    MLSYS_PROCEEDINGS_URL: 'http://127.0.0.1:9',
    ...options.env,
  };
  // The judge and code generation reach Bedrock through the AWS SDK, which reads process.env, not `env`: unless
  // a test points it at the loopback fake, it gets a closed loopback port and no instance-metadata probe.
  process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ??= 'http://127.0.0.1:9';
  process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
  let sherpa: RunningSherpa;
  try {
    sherpa = await bootSherpa({
      env,
      logger: (config) => logs.logger(options.logLevel ?? config.logLevel, configuredSecrets(config, env)),
      onFatal: (reason) => fatal.push(reason),
      ...(options.ackDeadlineMs !== undefined ? { ackDeadlineMs: options.ackDeadlineMs } : {}),
      ...(options.decorateDeps ? { decorateDeps: options.decorateDeps } : {}),
    });
  } catch (error) {
    if (!options.fake) await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    fake,
    sherpa,
    app: sherpa.slack.app,
    deps: sherpa.deps,
    config: sherpa.config,
    logs,
    dataDir,
    fatal,
    async stop() {
      await sherpa.stop();
      if (!options.fake) await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
