import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchBytes } from '../../src/http/byte-transport.js';
import { HttpClient } from '../../src/http/http-client.js';
import { capturedLogger } from '../support/captured-logger.js';

/**
 * Listing pages come through undici's `request` instead of fetch (issue 14): it must still do what fetch did
 * for them, follow redirects and ask for and undo compression.
 */
describe('the byte transport of listing pages', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  const page = JSON.stringify({
    notes: [{ id: 'n1', content: { title: { value: 'Ünïcode title' } } }],
    count: 1,
  });

  async function serve(): Promise<{ url: string; seen: { path: string; encoding?: string }[] }> {
    const seen: { path: string; encoding?: string }[] = [];
    server = createServer((req, res) => {
      const encoding = req.headers['accept-encoding'];
      seen.push({ path: req.url ?? '', ...(encoding ? { encoding } : {}) });
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/notes' }).end();
      } else if (req.url === '/notes' && encoding?.includes('gzip')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'x-count': '1',
        });
        res.end(gzipSync(Buffer.from(page, 'utf8')));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(page);
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
  }

  it('follows a redirect, asks for gzip and returns the decompressed bytes', async () => {
    const { url, seen } = await serve();
    const response = await fetchBytes(`${url}/moved`, {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(200);
    expect(response.bytes.toString('utf8')).toBe(page);
    expect(response.headers.get('X-Count')).toBe('1');
    expect(response.headers.get('missing')).toBeNull();
    expect(seen.map((s) => s.path)).toEqual(['/moved', '/notes']);
    expect(seen[1]?.encoding).toContain('gzip');
  });

  it('is what HttpClient uses for a bytes request, its body decoded only when read', async () => {
    const { url } = await serve();
    const http = new HttpClient({ service: 'test', logger: capturedLogger('silent').logger });
    const response = await http.request({ url: `${url}/notes`, bytes: true });
    expect(response.bytes?.toString('utf8')).toBe(page);
    expect(JSON.parse(response.body)).toEqual(JSON.parse(page));
  });
});
