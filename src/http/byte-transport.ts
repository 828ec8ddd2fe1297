import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { Agent, interceptors, request } from 'undici';
import type { FetchInit, FetchResponse } from './http-client.js';
import { arrayBufferOf, headersOf } from './undici-answer.js';

/**
 * The transport of requests whose answer is kept as bytes (`HttpRequest.bytes`: listing pages of megabytes):
 * undici's `request` on a keep-alive agent instead of the global `fetch`. Reading a 1.6 MB OpenReview page
 * through fetch's WHATWG streams, chunk by chunk and then concatenated, was about half of a re-scrape's CPU time
 * and one of the longest holds of the event loop that acks Slack (issue 14, items 1 and 3). The agent follows
 * redirects as fetch does; it asks for compression as fetch does, and a compressed answer is decompressed on
 * libuv's thread pool (zlib's async calls), not on the event loop.
 */
const agent = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));

const DECOMPRESS: Record<string, (bytes: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

export async function fetchBytes(url: string, init: FetchInit): Promise<FetchResponse & { bytes: Buffer }> {
  const response = await request(url, {
    method: init.method as 'GET' | 'POST',
    headers: { 'accept-encoding': 'gzip, deflate, br', ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: init.signal,
    dispatcher: agent,
  });
  const headers = headersOf(response.headers);
  const received = Buffer.from(await response.body.arrayBuffer());
  const encoding = (headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const decompress = DECOMPRESS[encoding];
  const bytes = decompress && received.length > 0 ? await decompress(received) : received;
  return {
    status: response.statusCode,
    headers,
    bytes,
    text: async () => bytes.toString('utf8'),
    arrayBuffer: async () => arrayBufferOf(bytes),
  };
}
