import type { Env } from '../config/env-reader.js';
import type { Config } from '../config/load-config.js';

/** Env variable names whose values are credentials (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, *_PASSWORD, …). */
const SECRET_VARIABLE = /TOKEN|PASSWORD|SECRET|CREDENTIAL|API_?KEY|PRIVATE_?KEY/i;

/**
 * The secrets this Sherpa was configured with, for the log scrubber to remove wherever they appear, even in
 * free text under an innocent key: the Slack tokens, the OpenReview and OpenSearch passwords, and every
 * secret-named variable in the environment (the AWS SDK reads its keys from there, not from the config).
 */
export function configuredSecrets(config: Config, env: Env = {}): string[] {
  const fromConfig = [
    config.slack.botToken,
    config.slack.appToken,
    config.sources.openreview.password,
    config.storage.index.kind === 'opensearch' ? config.storage.index.password : undefined,
  ];
  const fromEnv = Object.entries(env)
    // A number under such a name is a limit (`…_MAX_TOKENS=200000`), not a credential.
    .filter(([name, value]) => SECRET_VARIABLE.test(name) && !/^\d+$/.test(value ?? ''))
    .map(([, value]) => value);
  return [...fromConfig, ...fromEnv].filter((value): value is string => Boolean(value));
}
