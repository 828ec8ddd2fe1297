import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const TOKEN = 'sherpa-imds-fake-token';

export interface ImdsFake {
  /** For AWS_EC2_METADATA_SERVICE_ENDPOINT (the runner reads it as the AWS SDKs do). */
  endpoint: string;
  /** Raises a spot interruption notice for `secondsAhead` from now (EC2 gives 120). */
  raiseInterruption(secondsAhead: number, action?: string): void;
  clearInterruption(): void;
  close(): Promise<void>;
}

/**
 * Test equipment: a loopback IMDSv2 for the runner's spot watcher (trainium-runner/sherpa_runner/imds.py). A
 * token PUT first, then GETs carrying the token (401 without it); 404 until a notice is raised, as on EC2.
 */
export async function startImdsFake(facts: Record<string, string>): Promise<ImdsFake> {
  let notice: string | undefined;
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '';
    if (request.method === 'PUT' && path === '/latest/api/token') {
      if (!request.headers['x-aws-ec2-metadata-token-ttl-seconds']) return response.writeHead(400).end();
      return response.end(TOKEN);
    }
    if (request.headers['x-aws-ec2-metadata-token'] !== TOKEN) return response.writeHead(401).end();
    const name = path.replace('/latest/meta-data/', '');
    const body = name === 'spot/instance-action' ? notice : facts[name];
    if (body === undefined) return response.writeHead(404).end();
    return response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    raiseInterruption(secondsAhead, action = 'terminate') {
      const time = new Date(Date.now() + secondsAhead * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      notice = JSON.stringify({ action, time });
    },
    clearInterruption() {
      notice = undefined;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
