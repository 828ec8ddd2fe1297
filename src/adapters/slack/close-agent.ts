import type { Agent } from 'undici';

const CLOSE_GRACE_MS = 5_000;

/**
 * Closes a keep-alive agent at shutdown: calls in flight get up to `graceMs` to finish (shutdown must not hang
 * on a slow Slack), then whatever is left is dropped.
 */
export async function closeAgent(agent: Agent, graceMs = CLOSE_GRACE_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([agent.close().catch(() => undefined), late]);
  clearTimeout(timer);
  await agent.destroy().catch(() => undefined);
}
