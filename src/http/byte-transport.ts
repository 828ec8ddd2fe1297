import { Agent, interceptors, request } from 'undici';
import type { FetchInit, FetchResponse } from './http-client.js';

/**
 * The transport of requests whose answer is kept as bytes (`HttpRequest.bytes`: listing pages of megabytes):
 * undici's `request` on a keep-alive agent instead of the global `fetch`. Reading a 1.6 MB OpenReview page
 * through fetch's WHATWG streams, chunk by chunk and then concatenated, was about half of a re-scrape's CPU time
 * and one of the longest holds of the event loop that acks Slack (issue 14, items 1 and 3). The agent follows
 * redirects and decompresses as fetch does (`redirect`, `decompress` interceptors), and asks for compression as
 * fetch does.
 */
const agent = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }), interceptors.decompress());

export async function fetchBytes(url: string, init: FetchInit): Promise<FetchResponse & { bytes: Buffer }> {
  const response = await request(url, {
    method: init.method as 'GET' | 'POST',
    headers: { 'accept-encoding': 'gzip, deflate, br', ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: init.signal,
    dispatcher: agent,
  });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  const headers = response.headers;
  return {
    status: response.statusCode,
    headers: {
      get(name: string) {
        const value = headers[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(', ') : value;
      },
    },
    bytes,
    text: async () => bytes.toString('utf8'),
    arrayBuffer: async () =>
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}
