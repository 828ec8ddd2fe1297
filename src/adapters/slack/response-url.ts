import { Agent, request } from 'undici';
import { closeAgent } from './close-agent.js';
import { PermanentError, TransientError } from '../../errors.js';

/** Posts a message to a slash command's response_url; rejects with a classified error on a non-2xx answer. */
export interface ResponseUrlPoster {
  post(responseUrl: string, message: object): Promise<void>;
  close(): Promise<void>;
}

const TIMEOUT_MS = 30_000;
/**
 * A slash command's answers go to its response_url through undici's `request` on a keep-alive agent instead of
 * Bolt's `respond` (global `fetch`): fetch builds WHATWG Request, Headers and stream objects for every call and
 * cost about three times the CPU per answer here, CPU taken from the same event loop that must ack the next
 * envelopes (issue 14, item 3). Same request: a JSON POST, its answer read and dropped.
 */
export function createResponseUrlPoster(options: { timeoutMs?: number } = {}): ResponseUrlPoster {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const agent = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs });
  return {
    async post(responseUrl, message) {
      const response = await request(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        dispatcher: agent,
      });
      const text = await response.body.text();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return;
      const problem = `Slack refused an answer to response_url: HTTP ${status} ${text.slice(0, 200)}`;
      // An expired or used-up response_url (404, 410, 400) stays refused; 429 and 5xx may pass later.
      if (status === 429 || status >= 500) throw new TransientError(problem, { context: { status } });
      throw new PermanentError(problem, { context: { status } });
    },
    /** Lets answers in flight finish for up to 5 s (shutdown must not hang on a slow Slack), then drops them. */
    close: () => closeAgent(agent),
  };
}
