import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createResponseUrlPoster } from '../../../src/adapters/slack/response-url.js';
import { PermanentError, TransientError } from '../../../src/errors.js';

interface Received {
  method: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

async function serve(status: number): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method,
        contentType: request.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
      });
      response.writeHead(status).end(status === 200 ? 'ok' : 'used_url');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/respond/abc`, received };
}

describe('createResponseUrlPoster', () => {
  const poster = createResponseUrlPoster({ timeoutMs: 5_000 });
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  it('posts the message as JSON to the response_url', async () => {
    const fake = await serve(200);
    server = fake.server;
    await poster.post(fake.url, { response_type: 'ephemeral', text: 'hello' });
    expect(fake.received).toEqual([
      {
        method: 'POST',
        contentType: 'application/json',
        body: { response_type: 'ephemeral', text: 'hello' },
      },
    ]);
  });

  it('rejects with a permanent error when Slack refuses the url (expired or used up)', async () => {
    const fake = await serve(404);
    server = fake.server;
    const failure = poster.post(fake.url, { text: 'late' });
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toThrow(/HTTP 404 used_url/);
  });

  it('rejects with a transient error on a 5xx or 429', async () => {
    const fake = await serve(503);
    server = fake.server;
    await expect(poster.post(fake.url, { text: 'x' })).rejects.toBeInstanceOf(TransientError);
  });
});
