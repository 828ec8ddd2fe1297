import type { webApi } from '@slack/bolt';
import { Agent, request } from 'undici';
import { arrayBufferOf, headersOf, type RawHeaders } from '../../http/undici-answer.js';
import { closeAgent } from './close-agent.js';

/** The Web API client's transport, and how to let its connections go at shutdown. */
export interface WebApiFetch {
  fetch: webApi.FetchFunction;
  close(): Promise<void>;
}

/** What the client reads of an answer (the SDK declares it, but does not export its name). */
type FetchResponse = Awaited<ReturnType<webApi.FetchFunction>>;

/**
 * The Web API client's form posts (every `chat.postMessage`, `chat.update`, `views.publish`, …) through undici's
 * `request` on a keep-alive agent instead of global `fetch`: fetch builds WHATWG Request, Headers and body stream
 * objects for every call, about 4 ms of the event loop for one digest's post in a CPU profile (issue 14, item
 * 3), the loop that must ack the next envelopes. The client asks only for the `FetchResponse` it declares.
 * Multipart bodies (file uploads, rare) keep going through fetch, which writes their boundary.
 */
export function createWebApiFetch(): WebApiFetch {
  const agent = new Agent();
  const light: webApi.FetchFunction = async (url, init = {}) => {
    if (typeof init.body !== 'string' || (init.method ?? 'GET') !== 'POST') {
      return globalThis.fetch(url, init);
    }
    const href = String(url);
    const response = await request(href, {
      method: 'POST',
      headers: init.headers ?? {},
      body: init.body,
      // `redirect: 'error'` as the client asks: undici's request follows no redirect, and a 3xx is not a 200.
      ...(init.signal ? { signal: init.signal } : {}),
      dispatcher: agent,
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    return responseOf(href, response.statusCode, response.headers, bytes);
  };
  return {
    fetch: light,
    /** Lets calls in flight finish for up to 5 s (shutdown must not hang on a slow Slack), then drops them. */
    close: () => closeAgent(agent),
  };
}

/**
 * Methods whose answer echoes the message posted, its blocks included. The client copies every answer deeply
 * for a debug line (two regular expressions a key) and serialises the copy, whatever the log level: about half a
 * millisecond of the event loop for a digest's post. Sherpa reads only `ok`, `channel` and `ts` of these answers
 * (`PostedSchema`), so the client is handed the answer without the echo.
 */
const ECHOING_METHODS = ['chat.postMessage', 'chat.update', 'chat.scheduleMessage'];

function withoutEcho(url: string, text: string): string {
  if (!ECHOING_METHODS.includes(url.slice(url.lastIndexOf('/') + 1))) return text;
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return text; // Not JSON: the client reports it as it would have.
  }
  if (typeof answer !== 'object' || answer === null || !('message' in answer)) return text;
  const { message: _echo, ...rest } = answer as Record<string, unknown>;
  return JSON.stringify(rest);
}

function responseOf(url: string, status: number, raw: RawHeaders, bytes: Buffer): FetchResponse {
  const text = () => withoutEcho(url, bytes.toString('utf8'));
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: '',
    url,
    headers: headersOf(raw),
    arrayBuffer: async () => arrayBufferOf(bytes),
    json: async () => JSON.parse(text()) as unknown,
    text: async () => text(),
  };
}
