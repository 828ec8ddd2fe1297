import { afterEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/http-client.js';
import { capturedLogger } from '../support/captured-logger.js';
import { send, startLoopbackServer } from '../support/loopback-http.js';
import { VirtualClock } from '../support/virtual-clock.js';

let server: Awaited<ReturnType<typeof startLoopbackServer>> | undefined;
afterEach(async () => server?.close());

describe('HttpClient', () => {
  it('times out a request that never answers, retries, then reports the source as down', async () => {
    server = await startLoopbackServer(() => {
      // never answers
    });
    const clock = new VirtualClock();
    const { logger, lines } = capturedLogger();
    const client = new HttpClient({
      service: 'example',
      logger,
      clock,
      sleep: clock.sleep,
      timeoutMs: 100,
      maxAttempts: 2,
    });
    const error = await client.request({ url: `${server.baseUrl}/slow` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe('example did not answer after 2 attempts (timed out)');
    expect(lines.filter((line) => line.msg === 'request failed; retrying')).toHaveLength(1);
  });

  it('returns 4xx to the caller without retrying and logs each request', async () => {
    server = await startLoopbackServer((_request, _body, response) =>
      send(response, { status: 404, body: 'nope' }),
    );
    const { logger, lines } = capturedLogger();
    const client = new HttpClient({ service: 'example', logger });
    const response = await client.request({ url: `${server.baseUrl}/missing?offset=3` });
    expect(response).toMatchObject({ status: 404, body: 'nope' });
    expect(client.requestCount).toBe(1);
    expect(lines.find((line) => line.msg === 'http')).toMatchObject({
      service: 'example',
      status: 404,
      url: `${server.baseUrl}/missing?offset=3`,
    });
  });

  it('keeps the body as bytes when asked, and decodes it only when read', async () => {
    const body = '{"title":"Ünïcödé → 注意"}';
    server = await startLoopbackServer((_request, _body, response) => send(response, { status: 200, body }));
    const client = new HttpClient({ service: 'example', logger: capturedLogger().logger });
    const response = await client.request({ url: `${server.baseUrl}/page`, bytes: true });
    expect(response.bytes).toEqual(Buffer.from(body, 'utf8'));
    expect(response.body).toBe(body);
    // A fetch that can only give text still answers with the same bytes.
    const textOnly = new HttpClient({
      service: 'example',
      logger: capturedLogger().logger,
      fetch: async () => ({ status: 200, headers: new Headers(), text: async () => body }),
    });
    expect((await textOnly.request({ url: 'http://unused.invalid/', bytes: true })).bytes).toEqual(
      Buffer.from(body, 'utf8'),
    );
  });

  it('stops waiting when the caller aborts', async () => {
    const controller = new AbortController();
    // Abort while the first attempt is in flight: deterministic, unlike a wall-clock timer racing retries
    // that run on virtual time.
    server = await startLoopbackServer((_request, _body, response) => {
      controller.abort(new Error('scrape cancelled'));
      send(response, { status: 503, headers: { 'retry-after': '60' } });
    });
    const clock = new VirtualClock();
    const client = new HttpClient({
      service: 'example',
      logger: capturedLogger().logger,
      clock,
      sleep: clock.sleep,
    });
    const pending = client.request({ url: `${server.baseUrl}/`, signal: controller.signal });
    await expect(pending).rejects.toThrow('scrape cancelled');
  });
});
